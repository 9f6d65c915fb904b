import { parseProxyJump } from './parse-proxy-jump';

describe('parseProxyJump', () => {
  it.each([
    ['jump', [{ host: 'jump' }]],
    ['bob@jump', [{ host: 'jump', user: 'bob' }]],
    ['bob@jump:2200', [{ host: 'jump', user: 'bob', port: 2200 }]],
    ['jump:2200', [{ host: 'jump', port: 2200 }]],
    ['ssh://bob@jump:2200', [{ host: 'jump', user: 'bob', port: 2200 }]],
    ['ssh://jump/', [{ host: 'jump' }]],
    ['[::1]:2200', [{ host: '::1', port: 2200 }]],
    ['bob@[fe80::1]', [{ host: 'fe80::1', user: 'bob' }]],
    ['a, b@c:3 ,d', [{ host: 'a' }, { host: 'c', user: 'b', port: 3 }, { host: 'd' }]],
    ['ab@cd@host', [{ host: 'host', user: 'ab@cd' }]],
  ])('%s', (value, hops) => {
    expect(parseProxyJump(value)).toEqual(hops);
  });

  it.each([
    ['jump:0', 'bad port in ProxyJump hop "jump:0"'],
    ['jump:x', 'bad port in ProxyJump hop "jump:x"'],
    ['@jump', 'empty user in ProxyJump hop "@jump"'],
    ['a,,b', 'bad host in ProxyJump hop ""'],
    ['-oProxyCommand=x', 'bad host in ProxyJump hop "-oProxyCommand=x"'],
  ])('refuses %s', (value, message) => {
    expect(() => parseProxyJump(value)).toThrow(message);
  });
});
