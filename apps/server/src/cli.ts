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

/** Commands run instead of the server (`node dist/main.js <command> …`), with their arguments. */
export const CLI_COMMANDS: Record<string, { usage: string; help: string }> = {
  'migrate-sqlite-to-postgres': {
    usage: 'migrate-sqlite-to-postgres --from <path/to/conclave.db>',
    help: 'copy users, rooms and the audit log from a SQLite database into the (empty) PostgreSQL database of CONCLAVE_DATABASE_URL',
  },
};

/** The environment variables that `args` set; an unknown option is a UsageError naming the known ones. */
export function envFromArgs(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const arg of args) {
    const option = CLI_OPTIONS[arg];
    if (!option) {
      throw new UsageError(
        `unknown option ${JSON.stringify(arg)}; options: ${Object.keys(CLI_OPTIONS).join(', ')}; commands: ${Object.values(CLI_COMMANDS)
          .map((c) => c.usage)
          .join(', ')}`,
      );
    }
    env[option.env] = option.value;
  }
  return env;
}

/** What the command line asks for: a command with its arguments, or the server with the variables its options set. */
export function parseCommandLine(args: string[]): { command: string; args: string[] } | { command: null; env: Record<string, string> } {
  const [first, ...rest] = args;
  if (first !== undefined && Object.hasOwn(CLI_COMMANDS, first)) return { command: first, args: rest };
  return { command: null, env: envFromArgs(args) };
}
