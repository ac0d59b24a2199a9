#pragma once
// Attention overlays: which map to draw over the tiles (share of attention on the reference,
// where a clicked point attends in the reference, or a prompt token's cross-attention), for
// which layer (or the average) and step, at what opacity; and the store of the maps a run sent.
#include <map>
#include <optional>

#include <QPointF>
#include <QWidget>

#include "core/style/attention_summary.h"

class QComboBox;
class QSlider;
class QCheckBox;
class QLabel;
class QPushButton;

namespace sa::ui {

enum class OverlayMode { None, ReferenceShare, PointAttention, TokenAttention };

struct OverlayView {
    OverlayMode mode = OverlayMode::ReferenceShare;
    int layer = -1;     // index into the summary's layers; -1 = average
    int token = 0;      // TokenAttention: index among the target's prompt tokens
    int step = -1;      // -1: the latest step
    double opacity = 0.4;
};

// Every step's summary of one run, and the lookups the overlays need.
class OverlayStore {
public:
    void clear() { steps_.clear(); }
    void add(AttentionSummary summary);
    bool empty() const { return steps_.empty(); }
    int latestStep() const { return steps_.empty() ? -1 : steps_.rbegin()->first; }
    const AttentionSummary* at(int step) const;  // nearest recorded step at or before; null if none
    std::vector<std::string> layers() const;
    // Maps for target `target` (0-based among the targets).
    cv::Mat shareMap(const OverlayView& view, int target) const;
    cv::Mat tokenMap(const OverlayView& view, int target) const;
    // Where `point` of target `target` attends over the reference. With the user's live point
    // recorded it is used; otherwise the nearest of the 8 × 8 grid recorded at the last step
    // (`snapped` receives that grid point).
    cv::Mat pointMap(const OverlayView& view, int target, QPointF point, bool livePoint, QPointF* snapped) const;
    // Mean share on the reference per layer over the steps (NaN where a layer did not share).
    std::vector<std::pair<int, std::vector<double>>> shareHistory() const;

private:
    const AttentionSummary* view(const OverlayView& v) const { return at(v.step < 0 ? latestStep() : v.step); }
    std::map<int, AttentionSummary> steps_;
};

class OverlayPanel : public QWidget {
    Q_OBJECT
public:
    explicit OverlayPanel(QWidget* parent = nullptr);
    OverlayView view() const;
    void setLayers(const std::vector<std::string>& layers);
    void setTokens(const QStringList& tokens);  // of the first target (tokens differ per target)
    void setSteps(int steps);
    void setMode(OverlayMode mode);
    void setLayerIndex(int layer);
    void setPointHint(const QString& hint);

signals:
    void viewChanged();
    void clearPointRequested();

private:
    void retranslate();
    void changeEvent(QEvent* event) override;
    QComboBox *mode_, *layer_, *token_;
    QSlider *step_, *opacity_;
    QCheckBox* live_;
    QLabel *modeLabel_, *layerLabel_, *tokenLabel_, *stepLabel_, *opacityLabel_, *stepValue_, *pointHint_;
    QPushButton* clearPoint_;
    QString hint_;  // "" = the default hint
};

}  // namespace sa::ui
