// Scalar attributes of HDF5 files: the run file and the sweep result write them the same way.
#pragma once

#include <H5Cpp.h>

#include <string>

namespace migsim::detail {

inline H5::StrType text_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

template <class Location>
void text_attribute(Location& where, const std::string& name, const std::string& value) {
  const H5::StrType type = text_type();
  H5::Attribute attribute = where.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  const char* text = value.c_str();
  attribute.write(type, &text);
}

template <class Location, class T>
void number_attribute(Location& where, const std::string& name, const H5::PredType& type, T value) {
  H5::Attribute attribute = where.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, &value);
}

}  // namespace migsim::detail
