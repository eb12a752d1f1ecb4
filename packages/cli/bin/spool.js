#!/usr/bin/env node
// The `spool` executable. A plain committed file rather than dist/bin/spool.js so that npm can
// link it when the package is installed, before (or without) the TypeScript build of a clone.
import('../dist/bin/spool.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist')) {
    process.stderr.write('spool: @otelspool/cli is not built yet; run `npm run build` first\n');
    process.exit(1);
  }
  throw error;
});
