#pragma once
// The Adapters tab: what a set asks of the model beyond prompts and the layer plan — LoRAs, a
// ControlNet, the image size and MultiDiffusion panoramas (set.json "loras", "control", "width" /
// "height", "panorama"). It renders what it is given and reports what the user did; the window puts
// it into the request (applyTo) and restores it from an opened set (restore).
#include <optional>
#include <vector>

#include <QWidget>
#include <opencv2/core.hpp>

#include "core/io/image_set.h"

class QCheckBox;
class QGroupBox;
class QLabel;
class QSpinBox;

namespace sa::ui {

class ControlPanel;
class LoraList;

class AdaptersPanel : public QWidget {
    Q_OBJECT
public:
    explicit AdaptersPanel(QWidget* parent = nullptr);

    LoraList* loraList() const { return loras_; }
    ControlPanel* controlPanel() const { return control_; }

    // The set's LoRAs, control (images as paths), size and panorama into `spec`.
    void applyTo(ImageSetSpec& spec) const;
    std::vector<cv::Mat> controlSources() const;  // the control images as read, one per spec.control->images
    // An opened set's (control sources read from its folder).
    void restore(const ImageSetSpec& spec, const std::vector<cv::Mat>& controlSources);
    // Why Generate cannot run these settings ("" when it can): a panorama with a reference image,
    // a panorama with a ControlNet, a control without its folder or images.
    QString problem(bool withReferenceImage) const;

    // Size: 0 = the model's default.
    int imageWidth() const;
    int imageHeight() const;
    void setImageSize(int width, int height);
    std::optional<PanoramaSpec> panorama() const;  // nullopt: panorama width 0
    void setPanorama(const std::optional<PanoramaSpec>& panorama);

    // Context from the window: the model's default size, whether a reference image is set (a
    // panorama needs text mode), the set's images ("Reference", then the subjects).
    void setModelSize(int width, int height);
    void setReferenceImage(bool present);
    void setImageTitles(const QStringList& titles);

signals:
    void changed();

private:
    void retranslate();
    void changeEvent(QEvent* event) override;
    void refreshSize();  // default texts, the control thumbnails' shape, the panorama note

    LoraList* loras_;
    ControlPanel* control_;
    QGroupBox *loraBox_, *sizeBox_, *panoramaBox_;
    QSpinBox *width_, *height_, *panoramaWidth_, *window_, *stride_, *viewBatch_;
    QCheckBox* circular_;
    QLabel *widthLabel_, *heightLabel_, *panoramaWidthLabel_, *windowLabel_, *strideLabel_, *viewBatchLabel_,
        *panoramaNote_;
    int modelWidth_ = 0, modelHeight_ = 0;
    bool referenceImage_ = false;
};

}  // namespace sa::ui
