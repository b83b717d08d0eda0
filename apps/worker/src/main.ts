import { loadConfigOrExit, workerEnv } from '@app/config';
import { startWorkerApp } from './worker.app.js';

await startWorkerApp(loadConfigOrExit(workerEnv));
