import { authEnv, loadConfigOrExit } from '@app/config';
import { startAuthApp } from './auth.app.js';

await startAuthApp(loadConfigOrExit(authEnv));
