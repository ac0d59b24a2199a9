#include "ui/models_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace sa::ui {
namespace {

const char* roleName(VisionRole role) {
    switch (role) {
        case VisionRole::Captioner: return "captioner";
        case VisionRole::Clip: return "clip";
        case VisionRole::Dino: return "dino";
    }
    return "";
}

}  // namespace

ModelsDialog::ModelsDialog(QWidget* parent) : QDialog(parent) {
    setObjectName("modelsDialog");
    intro_ = new QLabel(this);
    intro_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro_);
    for (const auto role : kVisionRoles) {
        auto& r = row(role);
        const QString name = roleName(role);
        r.info = VisionModelInfo{.role = role};  // not set
        r.box = new QGroupBox(this);
        r.purpose = new QLabel(r.box);
        r.purpose->setWordWrap(true);
        r.path = new QLineEdit(r.box);
        r.path->setObjectName(name + "Folder");
        r.path->setMinimumWidth(360);
        r.browse = new QPushButton(r.box);
        r.browse->setObjectName(name + "Browse");
        r.clear = new QPushButton(r.box);
        r.clear->setObjectName(name + "Clear");
        // Enter in a path field loads the folder; no button takes it.
        r.browse->setAutoDefault(false);
        r.clear->setAutoDefault(false);
        r.status = new QLabel(r.box);
        r.status->setObjectName(name + "Status");
        r.status->setWordWrap(true);
        r.status->setTextInteractionFlags(Qt::TextSelectableByMouse);  // errors can be copied
        auto* pathRow = new QHBoxLayout;
        pathRow->addWidget(r.path, 1);
        pathRow->addWidget(r.browse);
        pathRow->addWidget(r.clear);
        auto* boxLayout = new QVBoxLayout(r.box);
        boxLayout->addWidget(r.purpose);
        boxLayout->addLayout(pathRow);
        boxLayout->addWidget(r.status);
        layout->addWidget(r.box);
        connect(r.browse, &QPushButton::clicked, this, [this, role] { browse(role); });
        connect(r.clear, &QPushButton::clicked, this, [this, role] { chooseFolder(role, {}); });
        // A typed or pasted path counts once the user leaves the field.
        connect(r.path, &QLineEdit::editingFinished, this, [this, role] {
            const auto typed = row(role).path->text().trimmed();
            const auto current = row(role).info ? row(role).info->folder : QString();
            if (typed != current) chooseFolder(role, typed);
        });
    }
    buttons_ = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons_->button(QDialogButtonBox::Close)->setAutoDefault(false);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addStretch(1);
    layout->addWidget(buttons_);
    retranslate();
}

// Hiding a dialog that is being destroyed takes the focus from a path field, which would report
// an edit to a window that may be half destroyed too.
ModelsDialog::~ModelsDialog() {
    for (auto& r : rows_) r.path->blockSignals(true);
}

void ModelsDialog::retranslate() {
    setWindowTitle(tr("Models"));
    intro_->setText(tr("Optional models from a model hub, as transformers folders (config.json, model.safetensors, "
                       "preprocessor_config.json). They load in the background on the model's device."));
    row(VisionRole::Captioner).box->setTitle(tr("Captioner (BLIP)"));
    row(VisionRole::Captioner).purpose->setText(tr("Describes a dropped reference on real models (BlipForConditionalGeneration, "
                                                   "e.g. Salesforce/blip-image-captioning-base). The demo model keeps its own captioner."));
    row(VisionRole::Clip).box->setTitle(tr("CLIP (text score)"));
    row(VisionRole::Clip).purpose->setText(tr("How well each new image shows its subject, without the style words "
                                              "(CLIPModel, e.g. openai/clip-vit-large-patch14)."));
    row(VisionRole::Dino).box->setTitle(tr("DINO (set consistency)"));
    row(VisionRole::Dino).purpose->setText(tr("How alike the set's images look, the reference included (ViTModel, e.g. facebook/dino-vitb8)."));
    for (const auto role : kVisionRoles) {
        auto& r = row(role);
        r.browse->setText(tr("Browse…"));
        r.clear->setText(tr("Clear"));
        r.clear->setToolTip(tr("Use no model for this role."));
        r.path->setPlaceholderText(tr("No folder"));
        refreshStatus(role);
    }
}

void ModelsDialog::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QDialog::changeEvent(event);
}

QString ModelsDialog::folder(VisionRole role) const { return row(role).path->text().trimmed(); }
QString ModelsDialog::statusText(VisionRole role) const { return row(role).status->text(); }
bool ModelsDialog::hasError(VisionRole role) const { return row(role).info && !row(role).info->error.isEmpty(); }

void ModelsDialog::browse(VisionRole role) {
    const auto current = folder(role);
    const auto start = current.isEmpty() ? QString() : QFileInfo(current).absolutePath();
    const auto chosen = QFileDialog::getExistingDirectory(this, row(role).box->title(), QFileInfo(current).isDir() ? current : start);
    if (!chosen.isEmpty()) chooseFolder(role, chosen);
}

void ModelsDialog::chooseFolder(VisionRole role, const QString& folder) {
    setLoading(role, folder);
    emit folderChosen(role, folder);
}

void ModelsDialog::setLoading(VisionRole role, const QString& folder) {
    auto& r = row(role);
    r.path->setText(QDir::toNativeSeparators(folder));
    r.info.reset();
    if (folder.isEmpty()) r.info = VisionModelInfo{.role = role};
    refreshStatus(role);
}

void ModelsDialog::showInfo(const VisionModelInfo& info) {
    auto& r = row(info.role);
    if (QDir::fromNativeSeparators(folder(info.role)) != info.folder) return;  // an answer for a folder since replaced
    r.info = info;
    refreshStatus(info.role);
}

void ModelsDialog::refreshStatus(VisionRole role) {
    auto& r = row(role);
    QString text, colour = "palette(text)";
    if (!r.info) {
        text = tr("Loading…");
        colour = "palette(mid)";
    } else if (r.info->folder.isEmpty()) {
        text = role == VisionRole::Captioner ? tr("Not set: on real models, type the caption yourself.")
               : role == VisionRole::Clip    ? tr("Not set: no CLIP text score.")
                                             : tr("Not set: no DINO set consistency.");
        colour = "palette(mid)";
    } else if (!r.info->error.isEmpty()) {
        // Core's message starts with the folder, which the field above shows already.
        auto error = r.info->error;
        if (error.startsWith(r.info->folder + ": ")) error = error.mid(r.info->folder.size() + 2);
        text = tr("Not loaded: %1").arg(error);
        colour = "#c0392b";
    } else {
        text = tr("Holds %1. Loaded.").arg(r.info->holds);
        if (role == VisionRole::Captioner) text += " " + tr("References are captioned with it on real models.");
        if (role == VisionRole::Clip && r.info->textTower) text += " " + tr("The metrics chart plots the CLIP text score.");
        if (role == VisionRole::Clip && !r.info->textTower) {
            text += " " + tr("This is the image tower only: the CLIP text score needs a full CLIPModel folder (both towers, "
                             "e.g. openai/clip-vit-large-patch14).");
            colour = "#a0611a";  // loaded, but half of what the role needs
        }
        if (role == VisionRole::Dino) text += " " + tr("The metrics chart plots DINO set consistency.");
    }
    r.status->setText(text);
    r.status->setStyleSheet(QString("color: %1;").arg(colour));
    // A longer status wraps onto more lines: an open page grows to show it (when it opens, Qt
    // sizes it for its word-wrapped labels), once the event loop has laid the label out.
    QTimer::singleShot(0, this, [this] {
        if (!isVisible()) return;
        if (const int needed = heightForWidth(width()); needed > height()) resize(width(), needed);
    });
}

}  // namespace sa::ui
