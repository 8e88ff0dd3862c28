// The t and binomial special functions live in @serx/core (`serx compare` uses them too).
export { binomialCdf, incompleteBeta, logGamma, studentTCdf, studentTQuantile } from '@serx/core';
