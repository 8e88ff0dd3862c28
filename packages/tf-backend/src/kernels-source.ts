import { fileURLToPath } from 'node:url';

/** The C source of serx's kernels: stages whose outputs they compute name it in `codeDependencies`. */
export const serxKernelsSource = fileURLToPath(new URL('../native/serx-kernels.c', import.meta.url));
