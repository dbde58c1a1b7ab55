import { describe, expect, it } from 'vitest';
import { hostnameOf } from './app.js';

describe('hostnameOf', () => {
  it('gives the Host header\'s name without its port, lower case, as URL.hostname would', () => {
    const cases = ['localhost:8787', '127.0.0.1', '127.0.0.1:80', '[::1]:8787', '[::1]', 'LocalHost:1', 'rebind.evil.example', 'rebind.evil.example:8787'];
    for (const header of cases) expect(hostnameOf(header), header).toBe(new URL(`http://${header}/`).hostname);
  });

  it('gives nothing for a missing or empty header, so the request URL decides', () => {
    expect(hostnameOf(undefined)).toBeUndefined();
    expect(hostnameOf('')).toBeUndefined();
  });
});
