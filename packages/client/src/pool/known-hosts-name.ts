/** The name ssh looks up in known_hosts: `host` on port 22, `[host]:port` on any other. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}
