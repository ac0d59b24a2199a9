#pragma once
// Two QCustomPlot charts: the share of attention that lands on the reference, per layer over
// the steps of the current run; and the metrics of every set generated this session — the demo
// judge's (%) and the paper's CLIP text score and DINO set consistency (cosines).
#include <optional>

#include <QWidget>

class QCustomPlot;
class QLabel;

namespace sa::ui {

struct SetMetrics {
    std::optional<double> subjectConfidence;  // mean judge confidence in each target's detected subject
    std::optional<double> styleAgreement;     // share of targets whose judged style equals the reference's
    std::optional<double> clipTextScore;      // mean cos(CLIP image, CLIP text of the subject)
    std::optional<double> dinoConsistency;    // mean pairwise cos of DINO CLS over the set
    double seconds = 0;
    bool referenceFromCache = false;
};

class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(QWidget* parent = nullptr);
    ~ChartsPanel() override;
    void setLayers(const std::vector<std::string>& layers);
    // history[i] = (step, mean share per layer); NaN values leave gaps.
    void setShareHistory(const std::vector<std::pair<int, std::vector<double>>>& history, int steps);
    void addSet(const SetMetrics& metrics);
    // The CLIP / DINO measures of set `index`, which come after the set.
    void setMeasures(int index, std::optional<double> clipTextScore, std::optional<double> dinoConsistency);
    // Under the chart: what is not measured and why ("" hides it).
    void setNote(const QString& note);
    int setCount() const { return static_cast<int>(sets_.size()); }
    const std::vector<SetMetrics>& sets() const { return sets_; }
    QString note() const;
    QCustomPlot* sharePlot() const { return share_; }
    QCustomPlot* metricsPlot() const { return metrics_; }

private:
    void retranslate();
    void changeEvent(QEvent* event) override;
    void redrawMetrics();
    QCustomPlot *share_, *metrics_;
    QLabel *shareTitle_, *metricsTitle_, *note_;
    std::vector<SetMetrics> sets_;
};

}  // namespace sa::ui
