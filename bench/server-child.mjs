import { startServer } from '@agentops/server';

const server = await startServer({ db: process.argv[2], port: 0, apiKey: 'bench-key-0000-4000-8000-000000000000' });
process.send({ url: server.url, apiKey: 'bench-key-0000-4000-8000-000000000000' });
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
