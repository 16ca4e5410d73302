// Process configuration, read once from the environment and validated, so a typo fails at start.
import path from 'node:path';
import { z } from 'zod';
import type { LogLevel } from './log.ts';

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TRELLIS_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().optional(),
  TRELLIS_CONFIG: z.string().min(1).default('./plugin.config.ts'),
  TRELLIS_SECRET_KEY: z.string().optional(),
  TRELLIS_SMTP_URL: z.string().optional(),
  TRELLIS_SMTP_FROM: z.string().default('Trellis <no-reply@localhost>'),
  TRELLIS_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  TRELLIS_PUBLIC_URL: z.string().url().optional(),
  TRELLIS_SANDBOX: z.enum(['0', '1', 'true', 'false']).optional(),
});

export interface TrellisConfig {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  configPath: string;
  secretKey: string | undefined;
  smtpUrl: string | undefined;
  smtpFrom: string;
  logLevel: LogLevel;
  /** Where people reach the panel; used for links in e-mails and for the Secure cookie flag. */
  publicUrl: string;
  /** Sandbox mode: staff may move the panel's clock forward (System → Sandbox). Never on a live panel. */
  sandbox: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TrellisConfig {
  // `PORT= npm start` means "unset", as it does to a shell user; zod would reject the empty string.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new Error(`Invalid configuration: ${first.path.join('.')}: ${first.message}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.TRELLIS_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL || `sqlite://${path.join(dataDir, 'trellis.sqlite')}`,
    configPath: path.resolve(e.TRELLIS_CONFIG),
    secretKey: e.TRELLIS_SECRET_KEY || undefined,
    smtpUrl: e.TRELLIS_SMTP_URL || undefined,
    smtpFrom: e.TRELLIS_SMTP_FROM,
    logLevel: e.TRELLIS_LOG_LEVEL,
    publicUrl: e.TRELLIS_PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`,
    sandbox: e.TRELLIS_SANDBOX === '1' || e.TRELLIS_SANDBOX === 'true',
  };
}
