import { describe, expect, it } from 'vitest';
import { defineErrorCodes, ErrorCodes, exitCodeOf, pluginErrorCode, SerxError } from '../../src/errors.ts';

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

  it('types the code: a string in neither the catalogue nor a namespace does not compile', () => {
    // @ts-expect-error 'NOT_A_CODE' is not a core code and has no namespace
    const error = new SerxError('NOT_A_CODE', 'x');
    expect(error.code).toBe('NOT_A_CODE');
  });
});
