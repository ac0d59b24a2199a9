#include "core/style/attention_summary.h"

#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

namespace sa {
namespace {

cv::Mat toMat(const torch::Tensor& map) {
    auto m = map.to(torch::kCPU, torch::kFloat32).contiguous();
    return cv::Mat(static_cast<int>(m.size(0)), static_cast<int>(m.size(1)), CV_32F, m.data_ptr<float>()).clone();
}

// Mean of maps of different grids, each resized (bilinear) to the finest one.
cv::Mat averageMaps(const std::vector<cv::Mat>& maps) {
    cv::Size finest;
    for (const auto& m : maps)
        if (static_cast<int64_t>(m.total()) > static_cast<int64_t>(finest.area())) finest = m.size();
    cv::Mat sum = cv::Mat::zeros(finest, CV_32F);
    for (const auto& m : maps) {
        cv::Mat resized;
        cv::resize(m, resized, finest, 0, 0, cv::INTER_LINEAR);
        sum += resized;
    }
    return sum / static_cast<double>(maps.size());
}

// [layer][target][k] → the average row appended ([targets][k] averaged over the layers that have it).
void appendAverage(std::vector<std::vector<std::vector<cv::Mat>>>& perLayer, int64_t targets) {
    std::vector<std::vector<cv::Mat>> average(static_cast<size_t>(targets));
    for (size_t t = 0; t < average.size(); ++t) {
        size_t count = 0;
        for (const auto& layer : perLayer)
            if (t < layer.size()) count = std::max(count, layer[t].size());
        for (size_t k = 0; k < count; ++k) {
            std::vector<cv::Mat> maps;
            for (const auto& layer : perLayer)
                if (t < layer.size() && k < layer[t].size() && !layer[t][k].empty()) maps.push_back(layer[t][k]);
            average[t].push_back(maps.empty() ? cv::Mat() : averageMaps(maps));
        }
    }
    perLayer.push_back(std::move(average));
}

}  // namespace

std::string crossLayerOf(const std::string& selfLayer) {
    if (selfLayer.size() < 5 || selfLayer.compare(selfLayer.size() - 5, 5, "attn1") != 0) return "";
    return selfLayer.substr(0, selfLayer.size() - 1) + "2";
}

AttentionSummary summarizeAttention(const AttentionMaps& maps, const std::vector<std::string>& layers, int64_t targets,
                                    const std::vector<int>& tokens) {
    AttentionSummary out;
    out.step = maps.step;
    out.layers = layers;
    std::vector<std::vector<std::vector<cv::Mat>>> share, points, cross;
    for (const auto& path : layers) {
        std::vector<std::vector<cv::Mat>> layerShare(static_cast<size_t>(targets)), layerPoints(static_cast<size_t>(targets)),
            layerCross(static_cast<size_t>(targets));
        double mean = std::numeric_limits<double>::quiet_NaN();
        for (const auto& m : maps.self) {
            if (m.layer != path) continue;
            const auto n = std::min<int64_t>(targets, m.referenceShare.size(0));
            mean = m.referenceShare.mean().item<double>();
            for (int64_t t = 0; t < n; ++t) {
                layerShare[static_cast<size_t>(t)].push_back(toMat(m.referenceShare[t]));
                if (m.pointMaps.defined())
                    for (int64_t p = 0; p < m.pointMaps.size(1); ++p)
                        layerPoints[static_cast<size_t>(t)].push_back(toMat(m.pointMaps[t][p]));
            }
        }
        for (const auto& c : maps.cross) {
            if (c.layer != crossLayerOf(path)) continue;
            const int64_t first = c.maps.size(0) - targets;  // the reference row, when it ran inline
            for (int64_t t = 0; t < targets && first >= 0; ++t) {
                const int count = t < static_cast<int64_t>(tokens.size()) ? tokens[static_cast<size_t>(t)] : 0;
                for (int k = 0; k < count && k + 1 < c.maps.size(1); ++k)
                    layerCross[static_cast<size_t>(t)].push_back(toMat(c.maps[first + t][k + 1]));
            }
        }
        out.meanShare.push_back(mean);
        share.push_back(std::move(layerShare));
        points.push_back(std::move(layerPoints));
        cross.push_back(std::move(layerCross));
    }
    if (!layers.empty()) {
        appendAverage(share, targets);
        appendAverage(points, targets);
        appendAverage(cross, targets);
    }
    // share[layer][target] holds one map: flatten that level.
    for (auto& layer : share) {
        std::vector<cv::Mat> flat;
        for (auto& target : layer) flat.push_back(target.empty() ? cv::Mat() : target.front());
        out.share.push_back(std::move(flat));
    }
    out.points = std::move(points);
    out.cross = std::move(cross);
    return out;
}

}  // namespace sa
