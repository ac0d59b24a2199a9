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
    // The metrics' legend too, clear of points near 1 (in the layout once it has entries: redrawMetrics).
    metrics_->axisRect()->insetLayout()->take(metrics_->legend);
    metrics_->plotLayout()->simplify();
    metrics_->legend->setFillOrder(QCPLegend::foColumnsFirst);
    metrics_->legend->setWrap(2);
    metrics_->legend->setBorderPen(Qt::NoPen);
    share_->yAxis->setRange(0, 1);
    metrics_->yAxis->setRange(0, 105);
    metrics_->yAxis2->setRange(0, 1.05);
    // Judge (%) on the left axis, the paper's cosines on the right one.
    const struct {
        QColor colour;
        QCPScatterStyle::ScatterShape shape;
        QCPAxis* axis;
    } graphs[] = {{QColor(40, 110, 200), QCPScatterStyle::ssDisc, metrics_->yAxis},
                  {QColor(220, 100, 30), QCPScatterStyle::ssSquare, metrics_->yAxis},
                  {QColor(30, 150, 80), QCPScatterStyle::ssDiamond, metrics_->yAxis2},
                  {QColor(150, 60, 170), QCPScatterStyle::ssTriangle, metrics_->yAxis2}};
    for (const auto& g : graphs) {
        auto* graph = metrics_->addGraph(metrics_->xAxis, g.axis);
        graph->setPen(QPen(g.colour, 2));
        graph->setScatterStyle(QCPScatterStyle(g.shape, 7));
    }
    note_ = new QLabel(this);
    note_->setObjectName("metricsNote");
    note_->setWordWrap(true);
    note_->setStyleSheet("color: palette(mid);");
    note_->hide();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(shareTitle_);
    layout->addWidget(share_, 1);
    layout->addWidget(metricsTitle_);
    layout->addWidget(metrics_, 1);
    layout->addWidget(note_);
    retranslate();
}

// The plot deletes its legend with its layout: put it back if it is out.
ChartsPanel::~ChartsPanel() {
    if (!metrics_->plotLayout()->hasElement(1, 0)) metrics_->plotLayout()->addElement(1, 0, metrics_->legend);
}

void ChartsPanel::retranslate() {
    shareTitle_->setText(tr("Attention on the reference, per layer"));
    share_->setToolTip(tr("Mean share of the new images' attention that lands on the reference, for each layer at each step."));
    share_->xAxis->setLabel(tr("step"));
    share_->yAxis->setLabel(tr("share"));
    metricsTitle_->setText(tr("Metrics per set"));
    metrics_->setToolTip(tr("For every set this session. The demo model's judge: how sure it is of each subject, and how "
                            "many new images it finds in the reference's style (%). With CLIP and DINO set in Settings ▸ "
                            "Models: the CLIP text score (each new image against its subject, without the style words) "
                            "and DINO set consistency (how alike the set's images are), as cosines."));
    metrics_->xAxis->setLabel(tr("set"));
    metrics_->yAxis2->setLabel(tr("cosine"));
    metrics_->graph(0)->setName(tr("subject confidence"));
    metrics_->graph(1)->setName(tr("style agreement"));
    metrics_->graph(2)->setName(tr("CLIP text score"));
    metrics_->graph(3)->setName(tr("DINO set consistency"));
    share_->replot(QCustomPlot::rpQueuedReplot);
    redrawMetrics();
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

void ChartsPanel::setMeasures(int index, std::optional<double> clipTextScore, std::optional<double> dinoConsistency) {
    if (index < 0 || index >= setCount()) return;
    sets_[static_cast<size_t>(index)].clipTextScore = clipTextScore;
    sets_[static_cast<size_t>(index)].dinoConsistency = dinoConsistency;
    redrawMetrics();
}

void ChartsPanel::setNote(const QString& note) {
    note_->setText(note);
    note_->setVisible(!note.isEmpty());
}

QString ChartsPanel::note() const { return note_->text(); }

void ChartsPanel::redrawMetrics() {
    using Field = std::optional<double> SetMetrics::*;
    const std::pair<Field, double> fields[] = {{&SetMetrics::subjectConfidence, 100.0},
                                               {&SetMetrics::styleAgreement, 100.0},
                                               {&SetMetrics::clipTextScore, 1.0},
                                               {&SetMetrics::dinoConsistency, 1.0}};
    bool judge = false, cosines = false;
    double lowest = 0;
    for (int g = 0; g < 4; ++g) {
        const auto [field, scale] = fields[g];
        QVector<double> x, y;
        for (size_t i = 0; i < sets_.size(); ++i)
            if (const auto& value = sets_[i].*field) {
                x << static_cast<double>(i + 1);
                y << scale * *value;
                if (g >= 2) lowest = std::min(lowest, *value);
            }
        metrics_->graph(g)->setData(x, y, true);
        // The legend names only what this session measured.
        if (x.isEmpty()) metrics_->graph(g)->removeFromLegend();
        else metrics_->graph(g)->addToLegend();
        (g < 2 ? judge : cosines) |= !x.isEmpty();
    }
    metrics_->yAxis->setVisible(judge || !cosines);
    metrics_->yAxis->setLabel(judge ? tr("judge, %") : QString());  // nothing measured yet: no unit to name
    metrics_->yAxis2->setVisible(cosines);
    // Cosines of unrelated images can be negative (random-weight test models): keep them in view.
    metrics_->yAxis2->setRange(lowest < 0 ? lowest - 0.05 : 0, 1.05);
    // An empty legend would cap the plot's width: it is in the layout only with entries.
    const bool legend = judge || cosines, placed = metrics_->plotLayout()->hasElement(1, 0);
    if (legend && !placed) {
        metrics_->plotLayout()->addElement(1, 0, metrics_->legend);
        metrics_->plotLayout()->setRowStretchFactor(1, 0.001);
    } else if (!legend && placed) {
        metrics_->plotLayout()->take(metrics_->legend);
        metrics_->plotLayout()->simplify();
    }
    metrics_->xAxis->setRange(0.5, std::max<double>(5.5, static_cast<double>(sets_.size()) + 0.5));
    metrics_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace sa::ui
