// Precompiled header of the Qt targets: LibTorch (for the worker) and the Qt headers in use.
#pragma once
#include "core/common/pch.h"
#include <QtCore>
#include <QtGui>
#include <QtWidgets>
