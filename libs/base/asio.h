// The one way to include Boost.Asio in this project.
//
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>; with
// g++ 12 in C++20 mode that is a hard error unless <utility> comes first.
#pragma once

#include <utility>

#include <boost/asio.hpp>
