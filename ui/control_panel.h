#pragma once
// The set's ControlNet (set.json "control"): the ControlNet folder, what the images are (photos
// whose Canny edges steer, or maps used as given), one image for every image of the set or one per
// image (the reference first), Canny thresholds, strength, the step range and which images it
// steers — with a thumbnail of each control map as it will be used (the edges, stretched to the
// set's size as the pipeline resizes them).
#include <optional>
#include <vector>

#include <QGroupBox>
#include <opencv2/core.hpp>

#include "core/io/image_set.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace sa::ui {

class LabeledSlider;

class ControlPanel : public QGroupBox {
    Q_OBJECT
public:
    explicit ControlPanel(QWidget* parent = nullptr);

    // The control as set, images as absolute paths (nullopt: off).
    std::optional<ControlSpec> spec() const;
    std::vector<cv::Mat> sources() const;  // the images as read, one per row of spec()->images
    // An opened set's control (images: paths; `sources`: the images read from them), or off.
    void setSpec(const std::optional<ControlSpec>& spec, const std::vector<cv::Mat>& sources);
    // The settings a new control starts from (Settings): kind, thresholds, scale, range, mode, ControlNet.
    void setDefaults(const ControlSpec& defaults);
    // Why the control cannot run as it stands ("" when it can, or when it is off).
    QString problem() const;

    // The set's images, reference first ("Reference", then each subject): the rows of "one per image".
    void setImageTitles(const QStringList& titles);
    void setImageSize(int width, int height);  // the set's size: the thumbnails take its shape
    void setStartFolder(const QString& folder) { startFolder_ = folder; }

    int rowCount() const { return static_cast<int>(rows_.size()); }
    // Reads `file` for `row` (false, and errorOccurred naming the file, when it is not an image).
    bool setImageFile(int row, const QString& file);
    // The control map of `row` as the pipeline gets it before resizing: Canny edges or the image.
    cv::Mat map(int row) const;
    QPixmap thumbnail(int row) const;
    QString controlNetFolder() const;
    void setControlNetFolder(const QString& folder);
    void setPerImage(bool perImage);

signals:
    void errorOccurred(const QString& message);
    void imageFolderUsed(const QString& folder);
    void controlNetFolderChosen(const QString& folder);
    void changed();

private:
    struct Image {
        QString file;
        cv::Mat source, map;
    };
    struct Row {
        QLabel *title, *thumb, *name;
        QPushButton* choose;
    };
    void retranslate();
    void changeEvent(QEvent* event) override;
    void rebuildRows();
    void refreshMaps();
    void refreshRow(int row);
    void refreshReferenceRow();  // "targets only" leaves the reference's map unused: its row says so
    void chooseImage(int row);
    void browseControlNet();
    bool perImage() const;
    ControlSpec mapSettings() const;  // kind and thresholds, for controlMaps

    QLineEdit* folder_;
    QPushButton *browse_;
    QComboBox *kind_, *count_, *mode_;
    QDoubleSpinBox *low_, *high_, *start_, *end_;
    LabeledSlider* scale_;
    double scaleValue_ = 1.0;  // exact (an opened set's), until the slider moves
    QLabel *folderLabel_, *kindLabel_, *countLabel_, *cannyLabel_, *scaleLabel_, *rangeLabel_, *modeLabel_, *notes_;
    QWidget* rowsHolder_;  // holds the rows' grid, made anew when the rows change
    QWidget* rowsGrid_ = nullptr;
    std::vector<Image> images_;  // one per row (the rows of the other choice are kept while switching)
    std::vector<Row> rows_;
    QStringList titles_;
    int width_ = 0, height_ = 0;
    QString startFolder_;
};

}  // namespace sa::ui
