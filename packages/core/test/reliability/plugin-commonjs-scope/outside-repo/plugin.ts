// A plugin file with ES module syntax in a package without "type": "module".
export const plugin = { name: 'cjs-scope', version: '1.0.0', stages: [] };
