/**
 * Writes docs/events.md from the mapping table (libs/events/src/event-types.ts).
 * `npm run build && node dist/scripts/event-catalogue.js`; a test checks the committed page is current.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderEventCatalogue } from '@app/events';

const file = resolve(process.cwd(), 'docs/events.md');
writeFileSync(file, renderEventCatalogue());
process.stdout.write(`wrote ${file}\n`);
