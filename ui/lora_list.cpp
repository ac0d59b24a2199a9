#include "ui/lora_list.h"

#include <cmath>
#include <filesystem>

#include <QCheckBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/labeled_slider.h"

namespace sa::ui {
namespace {

// A LoRA's name as the model gives it (StableDiffusionModel::addLora): the file's stem, or the
// folder's name for a diffusers folder.
QString loraName(const QString& file) {
    const QFileInfo info(file);
    return info.isDir() ? info.fileName() : info.completeBaseName();
}

bool sameFile(const QString& a, const QString& b) {
    std::error_code error;
    return a == b || std::filesystem::equivalent(a.toStdString(), b.toStdString(), error);
}

}  // namespace

LoraList::LoraList(QWidget* parent) : QWidget(parent) {
    add_ = new QToolButton(this);
    add_->setObjectName("addLora");
    add_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    add_->setIcon(style()->standardIcon(QStyle::SP_FileDialogNewFolder));
    empty_ = new QLabel(this);
    empty_->setWordWrap(true);
    empty_->setForegroundRole(QPalette::PlaceholderText);
    rowsLayout_ = new QVBoxLayout;
    rowsLayout_->setContentsMargins(0, 0, 0, 0);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(rowsLayout_);
    layout->addWidget(empty_);
    layout->addWidget(add_, 0, Qt::AlignLeft);
    connect(add_, &QToolButton::clicked, this, &LoraList::openFileDialog);
    retranslate();
    showEmptyHint();
}

void LoraList::retranslate() {
    add_->setText(tr("Add LoRA…"));
    add_->setToolTip(tr("Add a LoRA file (.safetensors, kohya / A1111 or diffusers format) made for the loaded model's "
                        "family. It is read and checked at once; its weight and switch change without reloading."));
    empty_->setText(tr("No LoRA: the model as loaded."));
    for (auto& row : rows_) {
        row.enabled->setToolTip(tr("Use this LoRA (off: as if weight 0, still loaded)"));
        row.weight->setToolTip(tr("Weight: how strongly the LoRA changes the model (diffusers' scale; 0 = off, 1 = as trained)"));
        row.remove->setToolTip(tr("Remove this LoRA"));
    }
}

void LoraList::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void LoraList::showEmptyHint() { empty_->setVisible(rows_.empty()); }

std::vector<LoraEntry> LoraList::entries() const {
    std::vector<LoraEntry> out;
    for (const auto& row : rows_) out.push_back(row.entry);
    return out;
}

void LoraList::setEntries(const std::vector<LoraEntry>& entries) {
    while (!rows_.empty()) removeRow(count() - 1);
    for (const auto& entry : entries) addEntry(entry);
}

bool LoraList::contains(const QString& file) const {
    return std::any_of(rows_.begin(), rows_.end(),
                       [&](const Row& row) { return sameFile(QString::fromStdString(row.entry.file), file); });
}

void LoraList::addEntry(const LoraEntry& entry, const QString& details) {
    Row row{.entry = entry};
    row.widget = new QWidget(this);
    row.enabled = new QCheckBox(row.widget);
    row.enabled->setChecked(entry.enabled);
    const QString file = QString::fromStdString(entry.file);
    row.name = new QLabel(loraName(file), row.widget);
    row.name->setToolTip(QDir::toNativeSeparators(file) + (details.isEmpty() ? QString() : "\n" + details));
    row.name->setMinimumWidth(60);
    row.name->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // a long name elides, never widens the tab
    row.weight = new LabeledSlider(-1.0, 2.0, 0.05, row.widget);
    row.weight->setObjectName("loraWeight");
    row.weight->setValue(entry.weight);
    row.remove = new QToolButton(row.widget);
    row.remove->setIcon(style()->standardIcon(QStyle::SP_DialogDiscardButton));
    auto* layout = new QHBoxLayout(row.widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(row.enabled);
    layout->addWidget(row.name, 2);
    layout->addWidget(row.weight, 3);
    layout->addWidget(row.remove);
    rowsLayout_->addWidget(row.widget);
    QWidget* key = row.widget;
    auto index = [this, key] {
        for (size_t i = 0; i < rows_.size(); ++i)
            if (rows_[i].widget == key) return i;
        return rows_.size();
    };
    connect(row.enabled, &QCheckBox::toggled, this, [this, index](bool on) {
        rows_.at(index()).entry.enabled = on;
        emit changed();
    });
    connect(row.weight, &LabeledSlider::valueChanged, this, [this, index](double value) {
        // The slider's notches are hundredths: store the decimal, not the slider's sum of steps.
        rows_.at(index()).entry.weight = std::round(value * 100) / 100;
        emit changed();
    });
    connect(row.remove, &QToolButton::clicked, this, [this, index] { removeRow(static_cast<int>(index())); });
    rows_.push_back(row);
    retranslate();
    showEmptyHint();
    emit changed();
}

void LoraList::removeRow(int row) {
    if (row < 0 || row >= count()) return;
    auto* widget = rows_[static_cast<size_t>(row)].widget;
    rows_.erase(rows_.begin() + row);
    rowsLayout_->removeWidget(widget);
    widget->hide();
    widget->deleteLater();  // its remove button may be the sender
    showEmptyHint();
    emit changed();
}

void LoraList::openFileDialog() {
    const auto file = QFileDialog::getOpenFileName(this, tr("Add LoRA"), startFolder_, tr("LoRA files (*.safetensors)"));
    if (file.isEmpty()) return;
    startFolder_ = QFileInfo(file).absolutePath();
    emit folderUsed(startFolder_);
    requestAdd(file);
}

void LoraList::requestAdd(const QString& file) {
    if (contains(file)) return emit errorOccurred(tr("%1 is in the list already: change its weight instead.").arg(file));
    emit addRequested(QFileInfo(file).absoluteFilePath());
}

}  // namespace sa::ui
