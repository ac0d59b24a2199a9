#pragma once
// Two QCustomPlot charts: the share of attention that lands on the reference, per layer over
// the steps of the current run; and the judge's metrics of every set generated this session.
#include <QWidget>

class QCustomPlot;
class QLabel;

namespace sa::ui {

struct SetMetrics {
    double subjectConfidence = 0;  // mean judge confidence in each target's detected subject
    double styleAgreement = 0;     // share of targets whose judged style equals the reference's
    double seconds = 0;
    bool referenceFromCache = false;
};

class ChartsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartsPanel(QWidget* parent = nullptr);
    void setLayers(const std::vector<std::string>& layers);
    // history[i] = (step, mean share per layer); NaN values leave gaps.
    void setShareHistory(const std::vector<std::pair<int, std::vector<double>>>& history, int steps);
    void addSet(const SetMetrics& metrics);
    int setCount() const { return static_cast<int>(sets_.size()); }
    QCustomPlot* sharePlot() const { return share_; }
    QCustomPlot* metricsPlot() const { return metrics_; }

private:
    void retranslate();
    void changeEvent(QEvent* event) override;
    void redrawMetrics();
    QCustomPlot *share_, *metrics_;
    QLabel *shareTitle_, *metricsTitle_;
    std::vector<SetMetrics> sets_;
};

}  // namespace sa::ui
