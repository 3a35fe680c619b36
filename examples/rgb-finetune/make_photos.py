#!/usr/bin/env python3
"""Builds an RGB photo folder from Debian's Fashion-MNIST (dataset-fashion-mnist): each 28x28 gray
image upscaled (bilinear) to SIZE x SIZE and tinted — the garment in a random saturated colour on a
random light background, with a little noise — so that colour says nothing about the class and the
network has to learn shapes from RGB pixels. Written as JPEG (quality 90, Debian's python3-pil) and
PNG alternately, in thawd's image-folder layout:

    OUT/train/<class name>/<index>.{jpg,png}     PER_CLASS per class, from the training split
    OUT/test/<class name>/<index>.{jpg,png}      TEST_PER_CLASS per class, from the test split

    python3 make_photos.py OUT [--size 72] [--per-class 100] [--test-per-class 50] [--classes 0,1,...]

Deterministic: the picks (the first images of each class) and the tints (numpy seed 0) are fixed.
"""
import argparse
import gzip
import os
import struct

import numpy as np

ROOT = "/usr/share/datasets/fashion-mnist"
NAMES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows, cols)
    return np.frombuffer(data, np.uint8, offset=8)


def upscale(image, size):
    """Bilinear resize of a 2-D float array to size x size (pixel centres aligned)."""
    h, w = image.shape
    ys = (np.arange(size) + 0.5) * h / size - 0.5
    xs = (np.arange(size) + 0.5) * w / size - 0.5
    y0 = np.clip(np.floor(ys).astype(int), 0, h - 1)
    x0 = np.clip(np.floor(xs).astype(int), 0, w - 1)
    y1, x1 = np.clip(y0 + 1, 0, h - 1), np.clip(x0 + 1, 0, w - 1)
    wy = np.clip(ys - y0, 0, 1)[:, None]
    wx = np.clip(xs - x0, 0, 1)[None, :]
    top = image[y0][:, x0] * (1 - wx) + image[y0][:, x1] * wx
    bottom = image[y1][:, x0] * (1 - wx) + image[y1][:, x1] * wx
    return top * (1 - wy) + bottom * wy


def tint(gray, rng):
    """gray in [0, 1] (1 = garment) -> HxWx3 uint8."""
    garment = rng.uniform(0.05, 0.95, 3) * np.array([1.0, 1.0, 1.0])
    garment[rng.integers(3)] = rng.uniform(0.0, 0.2)  # saturated: one channel low
    background = rng.uniform(0.75, 1.0, 3)
    rgb = gray[..., None] * garment + (1 - gray[..., None]) * background
    rgb += rng.normal(0, 0.02, rgb.shape)
    return (np.clip(rgb, 0, 1) * 255 + 0.5).astype(np.uint8)


def write(path_stem, rgb, jpeg):
    if jpeg:
        from PIL import Image  # Debian's python3-pil
        Image.fromarray(rgb, "RGB").save(path_stem + ".jpg", quality=90)
    else:
        import zlib
        h, w, _ = rgb.shape
        raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
        chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
        with open(path_stem + ".png", "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--size", type=int, default=72)
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--test-per-class", type=int, default=50)
    parser.add_argument("--classes", default="0,1,2,3,4,5,6,7,8,9")
    args = parser.parse_args()
    classes = [int(c) for c in args.classes.split(",")]
    try:
        import PIL  # noqa: F401
        have_jpeg = True
    except ImportError:
        have_jpeg = False
    rng = np.random.default_rng(0)
    written = 0
    for split, prefix, count in [("train", "train", args.per_class), ("test", "t10k", args.test_per_class)]:
        images = idx(f"{ROOT}/{prefix}-images-idx3-ubyte.gz")
        labels = idx(f"{ROOT}/{prefix}-labels-idx1-ubyte.gz")
        for c in classes:
            folder = os.path.join(args.out, split, NAMES[c])
            os.makedirs(folder, exist_ok=True)
            for k, i in enumerate(np.flatnonzero(labels == c)[:count]):
                rgb = tint(upscale(images[i].astype(np.float64) / 255, args.size), rng)
                write(os.path.join(folder, f"{i:05d}"), rgb, jpeg=have_jpeg and k % 2 == 0)
                written += 1
    print(f"{written} photos ({'JPEG and PNG' if have_jpeg else 'PNG only: apt-get install python3-pil for JPEG'}) "
          f"of {args.size}x{args.size} in {args.out}")


if __name__ == "__main__":
    main()
