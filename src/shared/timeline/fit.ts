// How a picture of another shape fills the output (DESIGN §3): pad (letterbox), crop (cover
// and crop the middle), or blur-fill (the picture fitted, over a blurred copy of itself that
// covers the frame: horizontal footage in a vertical video). Pure: filter chains as strings.

export type Fit = 'pad' | 'crop' | 'blur-fill';

/** blur-fill's blur: radius 4 (power 2), less where a plane is too small for it. */
export const BLUR = "boxblur=luma_radius='min(4,min(w,h)/2)':luma_power=2:chroma_radius='min(4,min(cw,ch)/2)':chroma_power=2";

/**
 * Chains that take `input` (a label such as `[0:v]`) to `output` (a label) at w x h, square
 * pixels, yuv420p. `id` keeps the labels of blur-fill's intermediate streams unique.
 */
export function fitChains(fit: Fit, input: string, output: string, w: number, h: number, id: string, flip = false): string[] {
  const tail = `setsar=1${flip ? ',hflip' : ''},format=yuv420p`;
  switch (fit) {
    case 'crop':
      // The middle of the picture at the output's aspect ratio (even sides), then scaled: not
      // scaled whole first and mostly thrown away (1920x1080 into 1080x1920 would be scaled to
      // 3413x1920, two thirds of it cropped; bench/render.ts measured 3% of the whole render).
      return [`${input}crop=w='min(iw,2*round(ih*${w}/${h}/2))':h='min(ih,2*round(iw*${h}/${w}/2))',scale=${w}:${h},${tail}${output}`];
    case 'pad':
      return [`${input}scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2:color=black,${tail}${output}`];
    case 'blur-fill': {
      // The background is blurred at an eighth of the size and scaled back up: a blur that
      // wide at full size would cost more than the encode. boxblur refuses a radius above half
      // a plane's short side (a 90x160 output has a 12x20 background, 6x10 in chroma), so the
      // radius is 4 or that half, whichever is smaller.
      const bw = even(w / 8);
      const bh = even(h / 8);
      return [
        `${input}split=2[${id}bg][${id}fg]`,
        `[${id}bg]scale=${bw}:${bh}:force_original_aspect_ratio=increase,crop=${bw}:${bh},${BLUR},scale=${w}:${h},setsar=1[${id}bgb]`,
        `[${id}fg]scale=${w}:${h}:force_original_aspect_ratio=decrease,setsar=1[${id}fgs]`,
        `[${id}bgb][${id}fgs]overlay=x=(W-w)/2:y=(H-h)/2,${tail}${output}`,
      ];
    }
  }
}

/** The nearest even integer, at least 2 (chroma subsampling needs even sizes). */
export function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
