#!/usr/bin/env bash
# Installs the Debian packages TechMarket needs: Chromium for the browser tests, a CJK
# TrueType font for PDFs and charts, the PostgreSQL client, poppler (pdftotext) to check PDFs in
# tests, Node.js/npm for front-end assets.
set -euo pipefail
packages=(chromium fonts-wqy-zenhei postgresql-client poppler-utils)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少系统软件包：${missing[*]}。本机没有 apt-get，请用系统的包管理器安装它们后重试。" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "缺少系统软件包：${missing[*]}。请运行以下命令后再执行 make：" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "安装系统软件包：${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
