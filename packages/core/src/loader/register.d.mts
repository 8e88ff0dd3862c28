/** Runs TypeScript in this thread (register.mjs): once per thread. */
export declare function registerTypeScript(): void;
/** The URL that imports `file` as an ES module whatever its package scope says (register.mjs). */
export declare function asEsModule(file: string): string;
