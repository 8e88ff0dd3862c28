// The t interval over seeds lives in @serx/core: `serx compare` computes it the way the report does.
export { type MeanInterval, tInterval } from '@serx/core';
