import { callbackEnv, loadConfigOrExit } from '@app/config';
import { startCallbackApp } from './callback.app.js';

await startCallbackApp(loadConfigOrExit(callbackEnv));
