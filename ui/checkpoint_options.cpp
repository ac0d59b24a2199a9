#include "ui/checkpoint_options.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include "core/pipeline/stable_diffusion_model.h"

namespace sa::ui {

QString CheckpointOptions::toJson() const {
    QJsonObject o;
    if (!config.isEmpty()) o["config"] = config;
    if (!predictionType.isEmpty()) o["prediction_type"] = predictionType;
    if (heads > 0) o["heads"] = heads;
    if (!activation.isEmpty()) o["hidden_act"] = activation;
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

CheckpointOptions CheckpointOptions::fromJson(const QString& json) {
    const auto o = QJsonDocument::fromJson(json.toUtf8()).object();
    return {o["config"].toString(), o["prediction_type"].toString(), std::max(0, o["heads"].toInt()), o["hidden_act"].toString()};
}

void CheckpointOptions::applyTo(LoadOptions& options) const {
    if (!config.isEmpty()) options.config = config.toStdString();
    if (!predictionType.isEmpty()) options.predictionType = predictionType.toStdString();
    if (heads > 0 || !activation.isEmpty()) {
        TextEncoderOverride encoder;  // one entry: every text encoder of the file
        if (heads > 0) encoder.heads = heads;
        if (!activation.isEmpty()) encoder.hiddenAct = activation.toStdString();
        options.textEncoders = {encoder};
    }
}

CheckpointOptions CheckpointOptions::fromSetJson(const nlohmann::json& modelOptions, const std::string& where) {
    LoadOptions saved;
    modelOptionsFromJson(modelOptions, saved, where);
    CheckpointOptions out{QString::fromStdString(saved.config.string()), QString::fromStdString(saved.predictionType.value_or(""))};
    if (!saved.textEncoders.empty()) {  // the studio keeps one setting for every encoder
        out.heads = saved.textEncoders[0].heads.value_or(0);
        out.activation = QString::fromStdString(saved.textEncoders[0].hiddenAct.value_or(""));
    }
    return out;
}

bool isCheckpointFile(const QString& path) {
    static const QStringList extensions{"safetensors", "ckpt", "bin", "pt", "pth"};
    const QFileInfo info(path);
    return info.isFile() && extensions.contains(info.suffix().toLower());
}

bool isModelPath(const QString& path) {
    return isCheckpointFile(path) || QFileInfo::exists(path + "/model_index.json");
}

QString droppedModelPath(const QMimeData* mime) {
    if (!mime || !mime->hasUrls()) return {};
    // Any folder: one that is no diffusers folder gets the loader's message of what is missing.
    for (const auto& url : mime->urls())
        if (url.isLocalFile() && (isCheckpointFile(url.toLocalFile()) || QFileInfo(url.toLocalFile()).isDir()))
            return QDir::cleanPath(url.toLocalFile());
    return {};
}

QString modelDisplayName(const QString& path) {
    return QFileInfo(QDir::cleanPath(path)).fileName();
}

CheckpointOptionsDialog::CheckpointOptionsDialog(const QString& file, const CheckpointOptions& options, QWidget* parent)
    : QDialog(parent), file_(file) {
    setWindowTitle(tr("Checkpoint Options"));
    setObjectName("checkpointOptions");
    auto* intro = new QLabel(tr("<b>%1</b><br>Real checkpoints load with <i>Auto</i> everywhere. Change these only for "
                                "a file that does not load or looks wrong.")
                                 .arg(modelDisplayName(file).toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);

    config_ = new QLineEdit(this);
    config_->setObjectName("config");
    config_->setClearButtonEnabled(true);
    const auto beside = QFileInfo(file).completeBaseName() + ".yaml";
    config_->setPlaceholderText(QFileInfo::exists(QFileInfo(file).absolutePath() + "/" + beside)
                                    ? tr("Auto: %1, found beside the file").arg(beside)
                                    : tr("Auto: the family's standard config (no %1 beside the file)").arg(beside));
    config_->setToolTip(tr("The original YAML of the checkpoint (v1-inference.yaml, v2-inference-v.yaml, "
                           "sd_xl_base.yaml, …): its architecture and prediction type."));
    auto* browse = new QToolButton(this);
    browse->setText(tr("Browse…"));
    connect(browse, &QToolButton::clicked, this, &CheckpointOptionsDialog::browseConfig);
    auto* configRow = new QHBoxLayout;
    configRow->addWidget(config_, 1);
    configRow->addWidget(browse);

    prediction_ = new QComboBox(this);
    prediction_->setObjectName("predictionType");
    prediction_->addItem(tr("Auto (from the config)"), QString());
    prediction_->addItem(tr("ε-prediction (epsilon)"), QString("epsilon"));
    prediction_->addItem(tr("v-prediction"), QString("v_prediction"));
    prediction_->setToolTip(tr("What the UNet predicts. SD 2.x 768 px models are v-prediction, most others ε. "
                               "Washed-out or noisy images with the right prompt: try the other one."));

    heads_ = new QSpinBox(this);
    heads_->setObjectName("heads");
    heads_->setRange(0, 64);
    heads_->setSpecialValueText(tr("Auto (head size 64)"));
    heads_->setToolTip(tr("Attention heads of the text encoders: a single file does not store them. "
                          "Real CLIP and OpenCLIP encoders use a head size of 64."));

    activation_ = new QComboBox(this);
    activation_->setObjectName("activation");
    activation_->addItem(tr("Auto"), QString());
    activation_->addItem("quick_gelu", QString("quick_gelu"));
    activation_->addItem("gelu", QString("gelu"));
    activation_->setToolTip(tr("Activation of the text encoders (Auto: quick_gelu for CLIP ViT-L, gelu for OpenCLIP)."));

    auto* form = new QFormLayout;
    auto* configLabel = new QLabel(tr("Config &YAML:"), this);
    configLabel->setBuddy(config_);  // the row is a layout: name the buddy, or the & shows
    form->addRow(configLabel, configRow);
    form->addRow(tr("&Prediction:"), prediction_);
    form->addRow(tr("Text-encoder &heads:"), heads_);
    form->addRow(tr("&Activation:"), activation_);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Load"));
    buttons->button(QDialogButtonBox::RestoreDefaults)->setText(tr("All &Auto"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] { setOptions({}); });

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(buttons);
    setOptions(options);
    resize(520, sizeHint().height());
}

CheckpointOptions CheckpointOptionsDialog::options() const {
    return {config_->text().trimmed(), prediction_->currentData().toString(), heads_->value(),
            activation_->currentData().toString()};
}

void CheckpointOptionsDialog::setOptions(const CheckpointOptions& options) {
    config_->setText(options.config);
    prediction_->setCurrentIndex(std::max(0, prediction_->findData(options.predictionType)));
    heads_->setValue(options.heads);
    activation_->setCurrentIndex(std::max(0, activation_->findData(options.activation)));
}

void CheckpointOptionsDialog::browseConfig() {
    const auto start = config_->text().isEmpty() ? QFileInfo(file_).absolutePath() : config_->text();
    const auto yaml = QFileDialog::getOpenFileName(this, tr("Original config of the checkpoint"), start,
                                                   tr("Original configs (*.yaml *.yml)"));
    if (!yaml.isEmpty()) config_->setText(yaml);
}

}  // namespace sa::ui
