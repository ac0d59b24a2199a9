#include "ui/charts_panel.h"

#include <cmath>

#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace sa::ui {
namespace {

QColor layerColour(int i, int n) { return QColor::fromHsvF(std::fmod(0.08 + 0.9 * i / std::max(1, n), 1.0), 0.75, 0.85); }

void styleAxes(QCustomPlot* plot) {
    plot->setMinimumHeight(170);
    plot->legend->setVisible(true);
    plot->legend->setFont(QFont(plot->font().family(), 7));
    plot->legend->setRowSpacing(-3);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
}

}  // namespace

ChartsPanel::ChartsPanel(QWidget* parent) : QWidget(parent) {
    share_ = new QCustomPlot(this);
    metrics_ = new QCustomPlot(this);
    shareTitle_ = new QLabel(this);
    metricsTitle_ = new QLabel(this);
    styleAxes(share_);
    styleAxes(metrics_);
    // One legend entry per layer: below the plot, in rows, so that it never hides the curves.
    share_->axisRect()->insetLayout()->take(share_->legend);
    share_->plotLayout()->addElement(1, 0, share_->legend);
    share_->plotLayout()->setRowStretchFactor(1, 0.001);
    share_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    share_->legend->setWrap(4);
    share_->legend->setBorderPen(Qt::NoPen);
    share_->setMinimumHeight(220);
    share_->yAxis->setRange(0, 1);
    metrics_->yAxis->setRange(0, 105);
    metrics_->addGraph();
    metrics_->addGraph();
    metrics_->graph(0)->setPen(QPen(QColor(40, 110, 200), 2));
    metrics_->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    metrics_->graph(1)->setPen(QPen(QColor(220, 100, 30), 2));
    metrics_->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, 6));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(shareTitle_);
    layout->addWidget(share_, 1);
    layout->addWidget(metricsTitle_);
    layout->addWidget(metrics_, 1);
    retranslate();
}

void ChartsPanel::retranslate() {
    shareTitle_->setText(tr("Attention on the reference, per layer"));
    share_->setToolTip(tr("Mean share of the new images' attention that lands on the reference, for each layer at each step."));
    share_->xAxis->setLabel(tr("step"));
    share_->yAxis->setLabel(tr("share"));
    metricsTitle_->setText(tr("Judge's metrics per set"));
    metrics_->setToolTip(tr("For every set this session: how sure the judge is of each subject, and how many new images "
                            "it finds in the reference's style."));
    metrics_->xAxis->setLabel(tr("set"));
    metrics_->yAxis->setLabel("%");
    metrics_->graph(0)->setName(tr("subject confidence"));
    metrics_->graph(1)->setName(tr("style agreement"));
    share_->replot(QCustomPlot::rpQueuedReplot);
    metrics_->replot(QCustomPlot::rpQueuedReplot);
}

void ChartsPanel::changeEvent(QEvent* event) {
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void ChartsPanel::setLayers(const std::vector<std::string>& layers) {
    share_->clearGraphs();
    const int n = static_cast<int>(layers.size());
    for (int i = 0; i < n; ++i) {
        auto* graph = share_->addGraph();
        graph->setPen(QPen(layerColour(i, n), 1.6));
        // "up_blocks.1.attentions.0.transformer_blocks.0.attn1" → "up1.a0" (".t1" for a second transformer)
        auto name = QString::fromStdString(layers[static_cast<size_t>(i)]);
        name.replace("down_blocks.", "down").replace("up_blocks.", "up").replace("mid_block", "mid");
        name.replace(".attentions.", ".a").replace(".transformer_blocks.0.attn1", "").replace(".transformer_blocks.", ".t");
        name.replace(".attn1", "");
        graph->setName(name);
    }
    share_->legend->setVisible(n <= 16);
    share_->replot(QCustomPlot::rpQueuedReplot);
}

void ChartsPanel::setShareHistory(const std::vector<std::pair<int, std::vector<double>>>& history, int steps) {
    for (int g = 0; g < share_->graphCount(); ++g) {
        QVector<double> x, y;
        for (const auto& [step, values] : history) {
            x << step + 1;
            y << (static_cast<size_t>(g) < values.size() ? values[static_cast<size_t>(g)] : std::nan(""));
        }
        share_->graph(g)->setData(x, y, true);
    }
    share_->xAxis->setRange(1, std::max(2, steps));
    double top = 0.05;
    for (const auto& [step, values] : history)
        for (double v : values)
            if (std::isfinite(v)) top = std::max(top, v);
    share_->yAxis->setRange(0, std::min(1.0, top * 1.15));
    share_->replot(QCustomPlot::rpQueuedReplot);
}

void ChartsPanel::addSet(const SetMetrics& metrics) {
    sets_.push_back(metrics);
    redrawMetrics();
}

void ChartsPanel::redrawMetrics() {
    QVector<double> x, subject, style;
    for (size_t i = 0; i < sets_.size(); ++i) {
        x << static_cast<double>(i + 1);
        subject << 100 * sets_[i].subjectConfidence;
        style << 100 * sets_[i].styleAgreement;
    }
    metrics_->graph(0)->setData(x, subject, true);
    metrics_->graph(1)->setData(x, style, true);
    metrics_->xAxis->setRange(0.5, std::max<double>(5.5, static_cast<double>(sets_.size()) + 0.5));
    metrics_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace sa::ui
