"""Pictures: `fetch` (remote images, safely), `verify` (Pillow checks and WebP renditions),
`storage` (content-addressed files, uploads, deletion after commit), `caching` (the
`cache_images` job) and `markup` (what a page's `<img>` says). README "Images" states the rules."""
