import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LAST_RESORT_EXIT_CODE, installLastResort } from './last-resort.js';
import { createLogger } from './logger.js';

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const proc = new EventEmitter();
  const exits: number[] = [];
  installLastResort(createLogger('info', sink), proc as unknown as NodeJS.Process, (code) => exits.push(code));
  return { lines, proc, exits };
}

describe('installLastResort', () => {
  it('logs an uncaught exception as fatal with its context and exits non-zero', () => {
    const { lines, proc, exits } = setup();
    proc.emit('uncaughtException', new Error('boom'), 'uncaughtException');
    expect(exits).toEqual([LAST_RESORT_EXIT_CODE]);
    expect(LAST_RESORT_EXIT_CODE).not.toBe(0);
    const line = lines.at(-1)!;
    expect(line.level).toBe(60);
    expect(line.kind).toBe('uncaughtException');
    expect(line.origin).toBe('uncaughtException');
    expect((line.err as { message: string }).message).toBe('boom');
    expect(typeof line.uptimeSeconds).toBe('number');
  });

  it('logs an unhandled rejection, also of a non-Error, and exits once', () => {
    const { lines, proc, exits } = setup();
    proc.emit('unhandledRejection', 'just a string');
    proc.emit('unhandledRejection', new Error('second'));
    expect(exits).toEqual([LAST_RESORT_EXIT_CODE]);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.kind).toBe('unhandledRejection');
    expect((lines[0]!.err as { message: string }).message).toMatch(/just a string/);
  });
});
