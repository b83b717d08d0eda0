import mediaInfoFactory, { type MediaInfo } from 'mediainfo.js';

/**
 * One MediaInfo (MediaInfoLib compiled to WebAssembly, `mediainfo.js`) per process, made on the first voice upload.
 * An instance analyzes one file at a time, so analyses queue behind each other (a voice is ≤ 2 MB: milliseconds).
 */
let instance: Promise<MediaInfo<'object'>> | null = null;
let queue: Promise<unknown> = Promise.resolve();

/**
 * The playing time of an audio file in seconds, read from its content by MediaInfoLib (for AMR, which has no duration
 * header, from its frames and bit rate), or null when it finds no audio in it. WeCom's voice media must be ≤ 60 s
 * (上传临时素材, document 90253). Throws only if the WebAssembly module cannot load.
 */
export function audioDurationSeconds(data: Buffer): Promise<number | null> {
  const run = queue.then(async () => {
    instance ??= mediaInfoFactory({ format: 'object' });
    const info = await instance;
    const result = await info.analyzeData(data.length, (size, offset) => data.subarray(offset, offset + size));
    const audio = result.media?.track.find((track) => track['@type'] === 'Audio');
    const duration = Number(audio?.Duration);
    return audio && Number.isFinite(duration) ? duration : null;
  });
  queue = run.catch(() => undefined);
  return run;
}
