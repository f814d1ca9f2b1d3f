#!/usr/bin/env bash
# Installs the system packages the tests need when they are missing:
#  - SwiftShader's Vulkan driver (shipped in Debian's chromium package) + the Vulkan loader, so
#    Dawn (the `webgpu` npm package) finds a WebGPU adapter on a machine without a GPU;
#  - Chromium itself, which the real-VS-Code end-to-end tests drive through playwright-core.
#  - PyTorch (python3-torch), which runs the exported model.py / train.py in the export tests.
set -euo pipefail
ICD=/usr/lib/chromium/vk_swiftshader_icd.json
need=()
[ -f "$ICD" ] && [ -x /usr/bin/chromium ] || need+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1 ' || need+=(libvulkan1)
# PyTorch for the export tests (test/unit/export/pytorch-torch.test.ts run model.py and train.py with it).
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
[ ${#need[@]} -eq 0 ] && exit 0
echo "convlab: installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "convlab: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  SUDO=sudo
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
