#!/usr/bin/env bash
# Installs every build and test dependency of StyleAligned Studio from Debian bookworm.
# Idempotent: packages already present are skipped by apt; QCustomPlot (Qt 6 build) is only
# rebuilt when its prefix is missing. Run as root (or with sudo available).
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libopenblas0-openmp
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
  libopencv-dev libfmt-dev nlohmann-json3-dev libicu-dev
  xvfb xauth imagemagick
  dpkg-dev libgtest-dev libgmock-dev
  libyaml-cpp-dev clang libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# LibTorch must use OpenBLAS (OpenMP flavour): with the reference BLAS GEMM is ~6x slower.
if command -v update-alternatives >/dev/null; then
  blas=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas-openmp || true)
  [ -n "$blas" ] && $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$blas" >/dev/null
  lapack=$(update-alternatives --list liblapack.so.3-x86_64-linux-gnu 2>/dev/null | grep openblas-openmp || true)
  [ -n "$lapack" ] && $SUDO update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$lapack" >/dev/null
fi

# QCustomPlot for Qt 6 is not packaged in bookworm (only the Qt 5 binary): build the Debian
# source package against Qt 6 and install it under a fixed prefix that CMake looks in.
QCP_PREFIX=${QCP_PREFIX:-/opt/qcustomplot-qt6}
if [ ! -f "$QCP_PREFIX/lib/libqcustomplot-qt6.so" ]; then
  if ! grep -rqs "^Types:.*deb-src" /etc/apt/sources.list.d/ && ! grep -qs "^deb-src .*bookworm" /etc/apt/sources.list; then
    echo "install-deps: adding a bookworm deb-src entry"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      | $SUDO tee /etc/apt/sources.list.d/stylealigned-src.sources >/dev/null
    $SUDO apt-get update -qq
  fi
  work=$(mktemp -d)
  (cd "$work" && apt-get source -qq qcustomplot >/dev/null)
  src=$(find "$work" -maxdepth 1 -type d -name 'qcustomplot-*' | head -n 1)
  [ -n "$src" ] || { echo "install-deps: apt-get source qcustomplot gave no source tree" >&2; exit 1; }
  cat > "$work/CMakeLists.txt" <<CMK
cmake_minimum_required(VERSION 3.16)
project(qcustomplot_qt6 CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_AUTOMOC ON)
find_package(Qt6 REQUIRED COMPONENTS Widgets PrintSupport)
add_library(qcustomplot-qt6 SHARED $src/qcustomplot.cpp $src/qcustomplot.h)
target_compile_definitions(qcustomplot-qt6 PRIVATE QCUSTOMPLOT_COMPILE_LIBRARY)
target_link_libraries(qcustomplot-qt6 PUBLIC Qt6::Widgets Qt6::PrintSupport)
install(TARGETS qcustomplot-qt6 LIBRARY DESTINATION lib)
install(FILES $src/qcustomplot.h DESTINATION include)
CMK
  cmake -S "$work" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$QCP_PREFIX" >/dev/null
  cmake --build "$work/build" -j"$(nproc)"
  $SUDO cmake --install "$work/build" >/dev/null
  rm -rf "$work"
  echo "install-deps: QCustomPlot (Qt 6) installed in $QCP_PREFIX"
fi
echo "install-deps: all dependencies present"
