// OpenCV DNN peer of bench/mlperf_ae_peers_bench: the ONNX file of the network read by
// cv::dnn::readNetFromONNX, OpenCV's own backend on the CPU, cv::setNumThreads(1).
//
//   opencv_peer MODEL.onnx INPUT.bin [--iters-b1 N] [--iters-b64 N] [--reps R]
//
// Command line and output: bench/peers/peer_runner.h. The input width is not read from the
// ONNX file (OpenCV does not expose it before the first forward): it is the MLPerf Tiny AD
// autoencoder's 640. A timed call is setInput + forward, the way OpenCV DNN is driven.
#include <cstdio>
#include <exception>
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "peer_runner.h"

int main(int argc, char** argv) {
  vigil::bench::RunnerArgs args;
  if (!vigil::bench::ParseRunnerArgs(argc, argv, "opencv_peer", &args)) return 2;
  constexpr int kWidth = 640;
  std::vector<float> x = vigil::bench::ReadInputRows(args.input, kWidth, vigil::bench::kPeerMaxBatch);
  if (x.empty()) {
    std::fprintf(stderr, "opencv_peer: %s: fewer than 64 rows of %d floats\n", args.input.c_str(), kWidth);
    return 1;
  }
  cv::setNumThreads(1);
  try {
    cv::dnn::Net net = cv::dnn::readNetFromONNX(args.model);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    for (int batch : {1, vigil::bench::kPeerMaxBatch}) {
      const cv::Mat input(batch, kWidth, CV_32F, x.data());
      cv::Mat y;
      const double us = vigil::bench::TimeCalls(args.Iters(batch), args.reps, [&] {
        net.setInput(input);
        y = net.forward();
      });
      const cv::Mat out = y.isContinuous() ? y : y.clone();
      vigil::bench::PrintTiming("opencv-dnn", CV_VERSION, batch, us,
                                vigil::bench::Checksum(out.ptr<float>(), static_cast<int64_t>(out.total())));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "opencv_peer: %s\n", e.what());
    return 1;
  }
  return 0;
}
