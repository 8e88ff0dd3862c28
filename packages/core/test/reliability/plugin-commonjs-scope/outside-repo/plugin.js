// A plugin file with ES module syntax in a package that says "type": "commonjs".
export const plugin = { name: 'cjs-scope', version: '1.0.0', stages: [] };
