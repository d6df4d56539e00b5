/**
 * Command-line options of the server process (`node apps/server/dist/main.js`,
 * or `npm start -- <options>`). Each stands for an environment variable, so
 * the configuration is still checked in one place (config.ts).
 */
export const CLI_OPTIONS: Record<string, { env: string; value: string; help: string }> = {
  '--self-signed': {
    env: 'CONCLAVE_TLS_SELF_SIGNED',
    value: '1',
    help: 'serve HTTPS with a self-signed certificate kept in the data directory (for trying Conclave on a LAN)',
  },
};

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The environment variables that `args` set; an unknown option is a UsageError naming the known ones. */
export function envFromArgs(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of args) {
    const option = CLI_OPTIONS[arg];
    if (!option) throw new UsageError(`unknown option ${JSON.stringify(arg)}; options: ${Object.keys(CLI_OPTIONS).join(', ')}`);
    env[option.env] = option.value;
  }
  return env;
}
