import { describe, expect, it } from 'vitest';
import {
  defineErrorCodes,
  deserializeError,
  ErrorCodes,
  exitCodeOf,
  isSerxError,
  pluginErrorCode,
  SerxError,
  serializeError,
  toSerxError,
} from '../../src/errors.ts';

describe('the error catalogue', () => {
  it('lists the core codes alphabetically, each equal to its name', () => {
    const names = Object.keys(ErrorCodes);
    expect(names).toEqual([...names].sort());
    for (const [name, code] of Object.entries(ErrorCodes)) expect(code).toBe(name);
  });

  it('registers plugin codes under their namespace and prints them in the error', () => {
    const codes = defineErrorCodes('test-plugin', {
      BAD_THING: { description: 'a bad thing happened' },
      BAD_SPEC: { description: 'the spec asks for a bad thing', exit: 2 },
    });
    expect(codes).toEqual({ BAD_THING: 'test-plugin:BAD_THING', BAD_SPEC: 'test-plugin:BAD_SPEC' });
    expect(pluginErrorCode(codes.BAD_SPEC)).toEqual({
      description: 'the spec asks for a bad thing',
      exit: 2,
    });
    const error = new SerxError(codes.BAD_THING, 'it broke', {
      loc: { file: 'a.yaml', line: 3, col: 5 },
      specPath: 'stages.x',
    });
    expect(error.format()).toBe('a.yaml:3:5 stages.x: it broke [test-plugin:BAD_THING]');
  });

  it('accepts the same registration twice (a module evaluated once per worker) but not a different meaning', () => {
    const once = () => defineErrorCodes('twice', { SAME: { description: 'same' } });
    expect(once()).toEqual(once());
    expect(() => defineErrorCodes('twice', { SAME: { description: 'other' } })).toThrow(
      expect.objectContaining({
        code: 'INTERNAL',
        message: 'error code twice:SAME is registered twice with different meanings',
      }),
    );
  });

  it('refuses a namespace or code that does not look like one (a programming error, INTERNAL)', () => {
    expect(() => defineErrorCodes('Features', { X: { description: 'x' } })).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
    expect(() => defineErrorCodes('features', { labelUnmapped: { description: 'x' } })).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });

  it('maps codes to exit statuses: 2 for the user’s input, 130 interrupted, 1 for failures and bugs', () => {
    const codes = defineErrorCodes('exit-test', {
      RUNTIME: { description: 'r' },
      INPUT: { description: 'i', exit: 2 },
    });
    expect(exitCodeOf('USAGE')).toBe(2);
    expect(exitCodeOf('SPEC_PARAMS')).toBe(2);
    expect(exitCodeOf('PLUGIN_LOAD')).toBe(2);
    expect(exitCodeOf('INTERRUPTED')).toBe(130);
    expect(exitCodeOf('INTERNAL')).toBe(1);
    expect(exitCodeOf('STAGE_FAILED')).toBe(1);
    expect(exitCodeOf(codes.RUNTIME)).toBe(1);
    expect(exitCodeOf(codes.INPUT)).toBe(2);
  });

  it('types the code, and catches an unregistered one where the error is built (INTERNAL, naming it)', () => {
    // @ts-expect-error 'NOT_A_CODE' is not a core code and has no namespace
    expect(() => new SerxError('NOT_A_CODE', 'x')).toThrow(
      expect.objectContaining({
        code: 'INTERNAL',
        message: "error code 'NOT_A_CODE' is not in the core catalogue (while reporting: x)",
      }),
    );
    // a namespaced code compiles, but no plugin registered it
    expect(() => new SerxError('nobody:NOTHING', 'y')).toThrow(
      expect.objectContaining({
        code: 'INTERNAL',
        message:
          "error code 'nobody:NOTHING' is not registered: no plugin called defineErrorCodes('nobody', { NOTHING: ... }) (while reporting: y)",
      }),
    );
  });

  it('lists every code serx raises (STAGE_HUNG, STAGE_CRASHED)', () => {
    expect(ErrorCodes.STAGE_HUNG).toBe('STAGE_HUNG');
    expect(ErrorCodes.STAGE_CRASHED).toBe('STAGE_CRASHED');
  });

  it('recognises a serx error by its code, not instanceof (another copy of core, another realm)', () => {
    const codes = defineErrorCodes('by-code', { BAD: { description: 'bad' } });
    const foreign = Object.assign(new Error('from another copy'), {
      code: codes.BAD,
      specPath: 'stages.a',
    });
    expect(foreign instanceof SerxError).toBe(false);
    expect(isSerxError(foreign)).toBe(true);
    expect(toSerxError(foreign)?.format()).toBe('stages.a: from another copy [by-code:BAD]');
    // an fs error's code is not a serx code
    expect(isSerxError(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe(false);
  });

  it('rebuilds a serx error from data (a process, worker or job boundary): code, message, location, cause, and a plugin code the receiver never registered', () => {
    const codes = defineErrorCodes('wire', { SENT: { description: 'sent over the wire', exit: 2 } });
    const cause = new SerxError(codes.SENT, 'label W is not mapped', {
      loc: { file: 'a.yaml', line: 2, col: 3 },
    });
    const error = new SerxError('STAGE_FAILED', `stage 'x' (t:x) failed: ${cause.format()}`, {
      specPath: 'stages.x',
      cause,
    });
    const data = JSON.parse(JSON.stringify(serializeError(error)));
    // the receiving side has never loaded the module that registered `wire:SENT`
    expect(data.cause.info).toEqual({ description: 'sent over the wire', exit: 2 });
    const rebuilt = deserializeError(data) as SerxError;
    expect(rebuilt).toBeInstanceOf(SerxError);
    expect(rebuilt.format()).toBe(error.format());
    expect(rebuilt.stack).toBe(error.stack);
    const rebuiltCause = rebuilt.cause as SerxError;
    expect([rebuiltCause.code, rebuiltCause.loc, rebuiltCause.message]).toEqual([
      codes.SENT,
      { file: 'a.yaml', line: 2, col: 3 },
      'label W is not mapped',
    ]);
    // a plain error stays plain, with its name and non-serx code
    const plain = deserializeError(serializeError(Object.assign(new TypeError('t'), { code: 'ENOENT' })));
    expect([plain instanceof SerxError, plain.name, (plain as { code?: string }).code]).toEqual([
      false,
      'TypeError',
      'ENOENT',
    ]);
  });
});
