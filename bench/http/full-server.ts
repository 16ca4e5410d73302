// The full stack under load: the real panel (createApp via startServer), with the job loop off so only requests cost CPU.
import { loadConfig } from '../../core/config.ts';
import { createLogger } from '../../core/log.ts';
import { startServer } from '../../core/server.ts';

const config = loadConfig();
const running = await startServer(config, createLogger({ level: config.logLevel }), { jobs: false });
// startServer prints "Trellis is running at <url>" on stderr; the bench waits for that line.
const stop = () => void running.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
