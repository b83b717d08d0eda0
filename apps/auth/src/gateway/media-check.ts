import busboy from 'busboy';
import { fileTypeFromBuffer } from 'file-type';
import { GatewayRefusal } from './gateway-refusal.js';
import { audioDurationSeconds } from './voice-duration.js';

export type MediaType = 'image' | 'voice' | 'video' | 'file';

/**
 * WeCom's rules for temporary media (上传临时素材, document 90253): more than 5 bytes; image ≤ 10 MB JPG/PNG, voice
 * ≤ 2 MB AMR and ≤ VOICE_MAX_SECONDS long, video ≤ 10 MB MP4, file ≤ 20 MB any format.
 */
export const MEDIA_RULES: Record<MediaType, { maxBytes: number; formats: readonly string[] | null }> = {
  image: { maxBytes: 10 * 1024 * 1024, formats: ['jpg', 'png'] },
  voice: { maxBytes: 2 * 1024 * 1024, formats: ['amr'] },
  video: { maxBytes: 10 * 1024 * 1024, formats: ['mp4'] },
  file: { maxBytes: 20 * 1024 * 1024, formats: null },
};

/** WeCom plays voice media of at most 60 s. */
export const VOICE_MAX_SECONDS = 60;

/** A media_id lives 3 days at WeCom (returned to the caller as `X-Wecom-Media-Expires-At`). */
export const MEDIA_ID_LIFETIME_MS = 3 * 86_400_000;

const MIN_BYTES = 6;

/** The WeCom paths that take an upload in the multipart part `media` with `?type=`. */
export const MEDIA_UPLOAD_PATHS = new Set(['/cgi-bin/media/upload']);

/**
 * Checks an upload the way WeCom will, by content (magic bytes via `file-type`), never by file name, so a bad file
 * is refused before WeCom sees it; a voice's length is read from its AMR frames (MediaInfoLib, `audioDurationSeconds`).
 * Throws `GatewayRefusal` `media_invalid` (400) or `media_too_large` (413).
 */
export async function checkMediaUpload(type: string | null, contentType: string, body: Buffer): Promise<{ type: MediaType; bytes: number; format: string | null }> {
  if (type === null || !(type in MEDIA_RULES)) throw new GatewayRefusal('media_invalid', 'type must be image, voice, video or file');
  const mediaType = type as MediaType;
  const rule = MEDIA_RULES[mediaType];
  const file = await readMediaPart(body, contentType, rule.maxBytes);
  if (!file) throw new GatewayRefusal('media_invalid', 'send the file as multipart/form-data in a part named "media" with a filename');
  if (file.truncated) throw new GatewayRefusal('media_too_large', `${article(mediaType)} ${mediaType} may be at most ${rule.maxBytes} bytes`);
  if (file.data.length < MIN_BYTES) throw new GatewayRefusal('media_invalid', `${article(mediaType)} ${mediaType} must be more than 5 bytes`);
  const detected = await fileTypeFromBuffer(file.data);
  if (rule.formats && (!detected || !rule.formats.includes(detected.ext))) {
    throw new GatewayRefusal('media_invalid', `${article(mediaType)} ${mediaType} must be ${rule.formats.join(' or ')} by content; this one is ${detected?.ext ?? 'not a recognised format'}`);
  }
  if (mediaType === 'voice') await checkVoiceLength(file.data);
  return { type: mediaType, bytes: file.data.length, format: detected?.ext ?? null };
}

/** Refuses a voice longer than VOICE_MAX_SECONDS, or one whose length cannot be read (not playable AMR). */
async function checkVoiceLength(data: Buffer): Promise<void> {
  const seconds = await audioDurationSeconds(data);
  if (seconds === null) throw new GatewayRefusal('media_invalid', 'a voice must be playable AMR audio; no audio frames were found in this one');
  if (seconds > VOICE_MAX_SECONDS) throw new GatewayRefusal('media_invalid', `a voice may be at most ${VOICE_MAX_SECONDS} s long; this one is ${seconds} s`);
}

/** The `media` part (busboy); `truncated` when it is larger than `maxBytes`. Null if there is none or no multipart. */
function readMediaPart(body: Buffer, contentType: string, maxBytes: number): Promise<{ data: Buffer; truncated: boolean } | null> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      // busboy marks a file truncated once it reaches `fileSize`: one byte more, so a file of exactly maxBytes passes.
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fileSize: maxBytes + 1, files: 4 } });
    } catch {
      resolve(null);
      return;
    }
    let found: { data: Buffer; truncated: boolean } | null = null;
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (name === 'media' && !found) found = { data: Buffer.concat(chunks), truncated: (stream as unknown as { truncated?: boolean }).truncated === true };
      });
    });
    parser.on('close', () => resolve(found));
    parser.on('error', () => resolve(null));
    parser.end(body);
  });
}

/** "an image", "a voice": the article for a WeCom media type in a refusal message. */
function article(mediaType: string): string {
  return /^[aeiou]/i.test(mediaType) ? 'an' : 'a';
}
