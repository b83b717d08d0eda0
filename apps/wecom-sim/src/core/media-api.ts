import { fileTypeFromBuffer } from 'file-type';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { randomToken } from './ids.js';
import { Ok, OK } from './service-api.js';
import { SimClock } from './sim-clock.js';
import { WecomError } from './wecom-error.js';

export const MediaPath = { upload: '/cgi-bin/media/upload' } as const;

export type MediaType = 'image' | 'voice' | 'video' | 'file';

/**
 * 上传临时素材 (document 90253): every file more than 5 bytes; image ≤ 10 MB JPG/PNG, voice ≤ 2 MB AMR, video ≤ 10 MB
 * MP4, file ≤ 20 MB; the media_id lives 3 days.
 */
export const MEDIA_RULES: Record<MediaType, { maxBytes: number; formats: readonly string[] | null; sizeErrcode: number }> = {
  image: { maxBytes: 10 * 1024 * 1024, formats: ['jpg', 'png'], sizeErrcode: 40009 },
  voice: { maxBytes: 2 * 1024 * 1024, formats: ['amr'], sizeErrcode: 40006 },
  video: { maxBytes: 10 * 1024 * 1024, formats: ['mp4'], sizeErrcode: 40011 },
  file: { maxBytes: 20 * 1024 * 1024, formats: null, sizeErrcode: 40006 },
};
const MIN_BYTES = 6;

export const MediaErrcode = { INVALID_MEDIA_TYPE: 40004, INVALID_FILE_TYPE: 40005, EMPTY_MEDIA: 44001 } as const;

/** The `media` part of a multipart upload. */
export interface UploadedFile {
  filename: string;
  data: Buffer;
}

export type UploadResponse = Ok & { type: MediaType; media_id: string; created_at: string };

/** `POST /cgi-bin/media/upload?type=`: checks the file as WeCom does and keeps a count of uploads per corp. */
export class MediaApi {
  private readonly uploads = new Map<string, number>();

  constructor(
    private readonly clock: SimClock,
    private readonly credentials: Credentials,
    private readonly gate: Gate,
  ) {}

  async upload(accessToken: string | undefined, type: string | undefined, file: UploadedFile | null): Promise<UploadResponse> {
    const { suite, corp } = this.credentials.corp(accessToken);
    this.gate.admit(MediaPath.upload, { suiteId: suite.suiteId, corpId: corp.corpId });
    if (type === undefined || !(type in MEDIA_RULES)) throw new WecomError(MediaErrcode.INVALID_MEDIA_TYPE, 'type must be image, voice, video or file');
    const mediaType = type as MediaType;
    if (!file || file.data.length === 0) throw new WecomError(MediaErrcode.EMPTY_MEDIA, 'no media part');
    const rule = MEDIA_RULES[mediaType];
    if (file.data.length < MIN_BYTES || file.data.length > rule.maxBytes) throw new WecomError(rule.sizeErrcode, `${mediaType} must be 6 bytes to ${rule.maxBytes} bytes`);
    if (rule.formats) {
      const detected = await fileTypeFromBuffer(file.data);
      if (!detected || !rule.formats.includes(detected.ext)) throw new WecomError(MediaErrcode.INVALID_FILE_TYPE, `${mediaType} must be ${rule.formats.join(' or ')}`);
    }
    this.uploads.set(corp.corpId, (this.uploads.get(corp.corpId) ?? 0) + 1);
    return { ...OK, type: mediaType, media_id: `3${randomToken(63)}`, created_at: String(this.clock.nowSeconds()) };
  }

  /** Accepted uploads per corp. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.uploads);
  }

  reset(): void {
    this.uploads.clear();
  }
}
