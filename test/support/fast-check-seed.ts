// Every property-based test draws a fresh random seed each run (so CI keeps exploring), prints
// it when a test fails, and takes FC_SEED from the environment to replay a failure exactly:
//   FC_SEED=123456 npm run test:reliability -- fuzz
// fast-check's own failure message repeats the seed and the shrink path of the counterexample.
// Counterexamples found this way become fixed regression cases next to the property.
import fc from 'fast-check';
import { afterEach } from 'vitest';

const fromEnv = process.env.FC_SEED;
const seed =
  fromEnv !== undefined && fromEnv.trim() !== '' && Number.isInteger(Number(fromEnv))
    ? Number(fromEnv)
    : (Math.random() * 0x7fffffff) | 0;

fc.configureGlobal({ seed });

afterEach(({ task }) => {
  if (task.result?.state === 'fail')
    console.error(`fast-check seed ${seed}: replay with FC_SEED=${seed}`);
});
