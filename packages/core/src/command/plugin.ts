/**
 * The built-in plugin (plugins/builtin.ts): every spec can use its stages without listing it.
 * The `command` stage lives in core, not in a plugin package, because it is the one stage that
 * belongs to no domain: like `uses:` itself it is part of the spec language, and it must be
 * there whatever plugins a study installs.
 */
import { definePlugin } from '../contract.ts';
import { BUILTIN_PLUGIN } from '../plugins/builtin.ts';
import { command } from './command-stage.ts';

export const plugin = definePlugin({ name: BUILTIN_PLUGIN, version: '1', stages: [command] });
