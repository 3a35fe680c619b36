#!/usr/bin/env python3
"""Writes the small photo fixtures DataTests reads (Tests/DataTests/Fixtures/photos/), with Pillow
as the reference decoder and resampler (torchvision's ImageFolder loader and transforms use it):

  <name>.jpg|.png   an image in one mode (CMYK JPEG, EXIF orientations, 16-bit, palette, gray+alpha)
  <name>.ref        Pillow's decoded pixels: 'P5'/'P6'-style header "W H C\n" then HWC bytes
  resize-*.ref      Pillow bilinear resized crops (torchvision F.resized_crop on a PIL image)
  eval-16.ref       torchvision's eval transform at 16 px, Resize(18) + CenterCrop(16), of photo.png

Run: python3 -m venv /var/tmp/pil && /var/tmp/pil/bin/pip install pillow && \
     /var/tmp/pil/bin/python Tests/DataTests/Fixtures/make_photo_fixtures.py
Outputs are committed; the script is here to regenerate or extend them.
"""
import os
import struct
import zlib

from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "photos")
W, H = 20, 12


def ref(name, im):
    im = im if im.mode in ("L", "RGB") else im.convert("RGB")
    c = 1 if im.mode == "L" else 3
    with open(os.path.join(OUT, name + ".ref"), "wb") as f:
        f.write(f"{im.width} {im.height} {c}\n".encode())
        f.write(im.tobytes())


def base():
    """A smooth colour pattern (JPEG-friendly) with a distinct corner so orientation shows."""
    im = Image.new("RGB", (W, H))
    px = im.load()
    for y in range(H):
        for x in range(W):
            px[x, y] = ((x * 12) % 256, (y * 20) % 256, ((x + y) * 7) % 256)
    for y in range(3):
        for x in range(4):
            px[x, y] = (250, 250, 250)
    return im


def png16(path, width, height, channels, samples):
    """A 16-bit gray (1) or RGB (3) PNG from big-endian samples; Pillow cannot write 16-bit RGB."""
    colour = {1: 0, 3: 2}[channels]
    raw = b"".join(b"\0" + struct.pack(">%dH" % (width * channels), *samples[y * width * channels:(y + 1) * width * channels])
                   for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 16, colour, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    os.makedirs(OUT, exist_ok=True)
    im = base()

    cmyk = im.convert("CMYK")
    cmyk.save(os.path.join(OUT, "cmyk.jpg"), quality=95)
    ref("cmyk", Image.open(os.path.join(OUT, "cmyk.jpg")).convert("RGB"))

    for o in range(1, 9):
        exif = Image.Exif()
        exif[0x0112] = o
        path = os.path.join(OUT, f"orient{o}.jpg")
        im.save(path, quality=95, exif=exif.tobytes())
        ref(f"orient{o}", ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
    exif = Image.Exif()
    exif[0x0112] = 6
    im.save(os.path.join(OUT, "orient6.png"), exif=exif.tobytes())
    ref("orient6-png", ImageOps.exif_transpose(Image.open(os.path.join(OUT, "orient6.png"))).convert("RGB"))

    # 16-bit: the reference is the high byte of each sample (Pillow's RGB;16B reading).
    gray = [(x * 3000 + y * 1111) % 65536 for y in range(H) for x in range(W)]
    png16(os.path.join(OUT, "gray16.png"), W, H, 1, gray)
    ref("gray16", Image.frombytes("L", (W, H), bytes(v >> 8 for v in gray)))
    rgb = [(x * 3000 + y * 1111 + c * 20000) % 65536 for y in range(H) for x in range(W) for c in range(3)]
    png16(os.path.join(OUT, "rgb16.png"), W, H, 3, rgb)
    ref("rgb16", Image.frombytes("RGB", (W, H), bytes(v >> 8 for v in rgb)))

    pal = im.quantize(colors=16)
    pal.save(os.path.join(OUT, "palette.png"))
    ref("palette", Image.open(os.path.join(OUT, "palette.png")).convert("RGB"))

    la = im.convert("LA")
    la.putalpha(Image.linear_gradient("L").resize((W, H)))
    la.save(os.path.join(OUT, "gray-alpha.png"))
    ref("gray-alpha", Image.open(os.path.join(OUT, "gray-alpha.png")).convert("L"))

    # Resampling goldens on a larger, detailed photo (lossless so both sides see the same pixels).
    photo = Image.new("RGB", (61, 43))
    px = photo.load()
    for y in range(43):
        for x in range(61):
            px[x, y] = ((x * 37 + y * 11) % 256, (x * x + 3 * y) % 256, (x * y) % 256)
    photo.save(os.path.join(OUT, "photo.png"))
    for (left, top, width, height, ow, oh) in [(5, 3, 40, 30, 16, 16), (0, 0, 61, 43, 24, 20), (20, 10, 9, 12, 16, 16)]:
        # torchvision's F.resized_crop on a PIL image: crop, then resize (the filter sees only the crop).
        crop = photo.crop((left, top, left + width, top + height)).resize((ow, oh), Image.BILINEAR)
        ref(f"resize-{left}-{top}-{width}-{height}-{ow}x{oh}", crop)
    # torchvision eval at 16 with the 256 -> 224 convention: Resize(int(16 / 0.875) = 18) + CenterCrop(16).
    short = 18
    resized = photo.resize((int(short * 61 / 43), short), Image.BILINEAR)  # torchvision truncates the long side
    left = int(round((resized.width - 16) / 2.0))
    top = int(round((resized.height - 16) / 2.0))
    ref("eval-16", resized.crop((left, top, left + 16, top + 16)))


if __name__ == "__main__":
    main()
