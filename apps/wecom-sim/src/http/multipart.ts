import busboy from 'busboy';
import type { UploadedFile } from '../core/media-api.js';

/** Larger than any file WeCom takes (20 MB): a bigger part is cut here and answered with WeCom's size errcode. */
const PART_LIMIT = 21 * 1024 * 1024;

/**
 * The file part named `field` of a multipart/form-data body (busboy), or null when there is none. A body that is
 * not valid multipart also gives null: WeCom answers "empty media" (44001) for it.
 */
export function readFilePart(body: Buffer, contentType: string, field = 'media'): Promise<UploadedFile | null> {
  return new Promise((resolve) => {
    let found: UploadedFile | null = null;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fileSize: PART_LIMIT, files: 4 } });
    } catch {
      resolve(null);
      return;
    }
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (name === field && !found) found = { filename: info.filename ?? '', mimeType: info.mimeType, data: Buffer.concat(chunks) };
      });
    });
    parser.on('close', () => resolve(found));
    parser.on('error', () => resolve(null));
    parser.end(body);
  });
}
