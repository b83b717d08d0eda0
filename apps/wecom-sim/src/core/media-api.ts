import { fileTypeFromBuffer } from 'file-type';
import { Credentials } from './credentials.js';
import { Gate } from './gate.js';
import { randomToken } from './ids.js';
import { Ok, OK } from './service-api.js';
import { SimClock } from './sim-clock.js';
import { WecomError } from './wecom-error.js';

export const MediaPath = { upload: '/cgi-bin/media/upload', get: '/cgi-bin/media/get' } as const;

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
/** How long a media_id can be downloaded (获取临时素材, document 90254: 3 days), in simulated time. */
export const MEDIA_LIFETIME_SECONDS = 3 * 86_400;

export const MediaErrcode = { INVALID_MEDIA_TYPE: 40004, INVALID_FILE_TYPE: 40005, INVALID_MEDIA_ID: 40007, EMPTY_MEDIA: 44001 } as const;

/** The `media` part of a multipart upload. */
export interface UploadedFile {
  filename: string;
  /** the part's Content-Type as the uploader declared it */
  mimeType: string;
  data: Buffer;
}

export type UploadResponse = Ok & { type: MediaType; media_id: string; created_at: string };

/** What `media/get` answers for a media_id: the file's bytes and the headers WeCom sends with them. */
export interface MediaDownload {
  contentType: string;
  /** `attachment; filename="<media_id>.<ext>"`, the shape WeCom's document shows */
  contentDisposition: string;
  data: Buffer;
}

interface StoredMedia {
  corpId: string;
  download: MediaDownload;
  /** simulated epoch ms */
  expiresAt: number;
}

/**
 * `POST /cgi-bin/media/upload?type=`: checks the file as WeCom does, keeps it for 3 simulated days and a count of
 * uploads per corp. `GET /cgi-bin/media/get?media_id=`: the file back, to any app of the same corp (WeCom shares a
 * media_id across a corp's apps), else 40007.
 */
export class MediaApi {
  private readonly uploads = new Map<string, number>();
  /** by media_id; held in memory until it expires (swept on each upload) */
  private readonly files = new Map<string, StoredMedia>();

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
    const detected = await fileTypeFromBuffer(file.data);
    if (rule.formats && (!detected || !rule.formats.includes(detected.ext))) {
      throw new WecomError(MediaErrcode.INVALID_FILE_TYPE, `${mediaType} must be ${rule.formats.join(' or ')}`);
    }
    this.uploads.set(corp.corpId, (this.uploads.get(corp.corpId) ?? 0) + 1);
    const mediaId = `3${randomToken(63)}`;
    const now = this.clock.now();
    this.sweep(now);
    const ext = detected?.ext ?? /\.([A-Za-z0-9]{1,8})$/.exec(file.filename)?.[1]?.toLowerCase();
    this.files.set(mediaId, {
      corpId: corp.corpId,
      expiresAt: now + MEDIA_LIFETIME_SECONDS * 1000,
      download: {
        contentType: detected?.mime ?? (file.mimeType || 'application/octet-stream'),
        contentDisposition: `attachment; filename="${mediaId}${ext ? `.${ext}` : ''}"`,
        data: file.data,
      },
    });
    return { ...OK, type: mediaType, media_id: mediaId, created_at: String(Math.floor(now / 1000)) };
  }

  /** `GET /cgi-bin/media/get`: the uploaded file; 40007 for an absent, unknown, expired or other corp's media_id. */
  get(accessToken: string | undefined, mediaId: string | undefined): MediaDownload {
    const { suite, corp } = this.credentials.corp(accessToken);
    this.gate.admit(MediaPath.get, { suiteId: suite.suiteId, corpId: corp.corpId });
    const stored = mediaId === undefined ? undefined : this.files.get(mediaId);
    if (!stored || stored.corpId !== corp.corpId || stored.expiresAt <= this.clock.now()) throw new WecomError(MediaErrcode.INVALID_MEDIA_ID);
    return stored.download;
  }

  private sweep(now: number): void {
    for (const [id, stored] of this.files) if (stored.expiresAt <= now) this.files.delete(id);
  }

  /** Accepted uploads per corp. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.uploads);
  }

  reset(): void {
    this.uploads.clear();
    this.files.clear();
  }
}
