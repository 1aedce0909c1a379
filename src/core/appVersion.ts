// The app's version (package.json), written into every export: Vite inlines only this string into the bundle, tsx reads it in Node.
import { version } from '../../package.json';

export const APP_VERSION: string = version;
