import type { TaskMetadata } from '../src/shared/task.js';

/** A valid metadata.json, as the main worker writes it. */
export function sampleMetadata(over: Partial<TaskMetadata> = {}): TaskMetadata {
  return {
    schema_version: 1,
    task_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    created_at: '2026-11-22T00:00:00.000Z',
    category: 'fantasy',
    story_name: 'dragon_flight',
    variation: 0,
    seed: 42,
    attempts: 0,
    voice_file: 'voice.mp3',
    voice_source: 'scanned/story/fantasy/dragon_flight/voice/chapter_0001.mp3',
    voice_duration: 125.7,
    music_file: 'music.mp3',
    music_source: 'scanned/music/fantasy/mp3/200.0_7c9e6679-7425-40de-944b-e07fc1f90ae7.mp3',
    music_duration: 200,
    video_list: 'video_list.txt',
    video_class: 'mp4_w1920_h1080',
    video_files: [{ path: 'scanned/video/fantasy/mp4_w1920_h1080/130.0_9b2e.mp4', duration: 130, in: 0, out: 125.7 }],
    audio: { voice_volume: 1, music_volume: 0.25, fade_out_seconds: 0.5 },
    render: { resolution: '1920x1080', frame_rate: 30, fit: 'pad', logo: 'logo.png', logo_width: 0.12, output_format: 'mp4' },
    ...over,
  };
}

