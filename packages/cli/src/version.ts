/** The @otelspool/cli version `spool --version` prints (packages/cli/package.json "version"). */
export const VERSION = '0.1.0';
