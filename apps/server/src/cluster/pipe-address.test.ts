import { describe, expect, it } from 'vitest';
import { pipeAddressOf } from './pipe-address.js';

describe('the address media pipes between nodes listen on', () => {
  it('is the internal URL’s IP as it is, v4 or v6', async () => {
    expect(await pipeAddressOf('http://10.0.0.2:3000')).toBe('10.0.0.2');
    expect(await pipeAddressOf('http://[::1]:3000')).toBe('::1');
  });

  it('is a host name resolved once', async () => {
    expect(await pipeAddressOf('http://localhost:3000')).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});
